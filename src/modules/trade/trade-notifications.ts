// The asynchronous notification outbox (trade_status_sync). A row, a neutral event, is written in
// the same SQL transaction as the state change it reports, so none is lost and none reports a
// change that did not commit; the merchant module words and signs it only when it is sent, and it
// is retried on the public schedule until `success`.
import type { Clock } from '../../engine/clock.ts';
import { TradeError } from './trade-errors.ts';
import type { TradeStore } from './trade-store.ts';
import type { NotificationEncoder, NotificationRecord } from './trade-types.ts';

const MINUTE_MS = 60_000;
/** The wait after the 1st..7th failed send; the 8th failure marks the notification failed. */
export const RETRY_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((m) => m * MINUTE_MS);
export const MAX_SENDS = RETRY_DELAYS_MS.length + 1;
/** A send in progress holds its row this long, so two senders never post it at once. */
const LEASE_MS = MINUTE_MS;
const SEND_BATCH = 100;
const DEFAULT_TIMEOUT_MS = 5_000;

export type Deliver = (url: string, formBody: string) => Promise<string>;

/** POSTs the form with a short timeout; the merchant's answer text, or a thrown error. */
export function fetchDeliver(timeoutMs = DEFAULT_TIMEOUT_MS): Deliver {
  return async (url, formBody) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' },
      body: formBody,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return response.text();
  };
}

export class NotificationOutbox {
  constructor(
    private readonly store: TradeStore,
    private readonly clock: Clock,
    private readonly encode: NotificationEncoder,
    private readonly deliver: Deliver,
  ) {}

  /** Sends every notification that is due; returns how many the merchants accepted. */
  async sendDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.store.notificationsDue(now, SEND_BATCH);
    const sent = await Promise.all(due.map((n) => this.sendOne(n, now)));
    return sent.filter(Boolean).length;
  }

  private async sendOne(n: NotificationRecord, now: number): Promise<boolean> {
    if (!(await this.store.leaseNotification(n, now + LEASE_MS))) return false;
    const error = await this.attempt(n);
    const attempts = n.attempts + 1;
    if (error === '') {
      await this.store.notificationDelivered(n.notifyId, attempts);
      return true;
    }
    const failed = attempts >= MAX_SENDS;
    const nextAt = failed ? now : now + RETRY_DELAYS_MS[attempts - 1];
    await this.store.notificationNotDelivered(n.notifyId, attempts, failed ? 'failed' : 'pending', nextAt, error.slice(0, 200));
    return false;
  }

  /** '' when the merchant answered exactly `success`, else why not. */
  private async attempt(n: NotificationRecord): Promise<string> {
    try {
      const answer = await this.deliver(n.notifyUrl, this.encode(n));
      return answer === 'success' ? '' : `answered '${answer.slice(0, 40)}'`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** When the next pending notification is due (epoch ms), or null. */
  nextDue(): Promise<number | null> {
    return this.store.nextNotificationDue();
  }

  listFailed(merchantId: string, limit = 100): Promise<NotificationRecord[]> {
    return this.store.failedNotifications(merchantId, limit);
  }

  /** Queues a failed (or any) notification of this merchant again, with a fresh set of 8 sends. */
  async resend(merchantId: string, notifyId: string): Promise<NotificationRecord> {
    const requeued = await this.store.requeueNotification(merchantId, notifyId, this.clock.now());
    const n = await this.store.notification(merchantId, notifyId);
    if (!n) throw new TradeError('NOTIFICATION_NOT_EXIST', `no notification '${notifyId}'`);
    if (!requeued && n.status !== 'delivered') throw new TradeError('SYSTEM_ERROR', 'the notification could not be queued again');
    return n;
  }

  /** For tests and the merchant console: the notifications of one trade, oldest first. */
  forTrade(tradeNo: string): Promise<NotificationRecord[]> {
    return this.store.notificationsOf(tradeNo);
  }
}
