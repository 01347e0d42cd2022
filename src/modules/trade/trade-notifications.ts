// The asynchronous notification outbox (trade_status_sync). A row is written in the same SQL
// transaction as the state change it reports, so none is lost and none reports a change that did
// not commit; it is signed only when sent, and retried on the public schedule until `success`.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { TradeError } from './trade-errors.ts';
import type { NotificationWire } from './trade-types.ts';

const MINUTE_MS = 60_000;
/** The wait after the 1st..7th failed send; the 8th failure marks the notification failed. */
export const RETRY_DELAYS_MS = [4, 10, 10, 60, 120, 360, 900].map((m) => m * MINUTE_MS);
export const MAX_SENDS = RETRY_DELAYS_MS.length + 1;
/** A send in progress holds its row this long, so two senders never post it at once. */
const LEASE_MS = MINUTE_MS;
const SEND_BATCH = 100;
const DEFAULT_TIMEOUT_MS = 5_000;

export type Deliver = (url: string, formBody: string) => Promise<string>;

export interface NotificationRecord {
  notifyId: string;
  tradeNo: string;
  notifyUrl: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string;
  /** When a pending notification is next sent (epoch ms). */
  nextAtMs: number;
  fields: Record<string, string>;
}

interface NotificationRow extends Record<string, unknown> {
  notify_id: string;
  merchant_id: string;
  trade_no: string;
  notify_url: string;
  fields: string;
  status: string;
  attempts: bigint;
  next_at: bigint;
  last_error: string;
}

/** Writes the notification row inside the caller's transaction. */
export async function enqueueNotification(
  tx: SqlExecutor,
  merchantId: string,
  notifyUrl: string,
  fields: Record<string, string>,
  nowMs: number,
): Promise<void> {
  await tx.run(
    `INSERT INTO trade_notifications (notify_id, merchant_id, trade_no, notify_url, fields, status, attempts, next_at, created_at)
     VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    [fields.notify_id, merchantId, fields.trade_no, notifyUrl, JSON.stringify(fields), BigInt(nowMs), BigInt(nowMs)],
  );
}

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
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly wire: NotificationWire,
    private readonly deliver: Deliver,
  ) {}

  /** Sends every notification that is due; returns how many the merchants accepted. */
  async sendDue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.all<NotificationRow>("SELECT * FROM trade_notifications WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?", [
      BigInt(now),
      SEND_BATCH,
    ]);
    const sent = await Promise.all(due.map((row) => this.sendOne(row, now)));
    return sent.filter(Boolean).length;
  }

  private async sendOne(row: NotificationRow, now: number): Promise<boolean> {
    const leased = await this.db.run("UPDATE trade_notifications SET next_at = ? WHERE notify_id = ? AND status = 'pending' AND next_at = ?", [
      BigInt(now + LEASE_MS),
      row.notify_id,
      row.next_at,
    ]);
    if (leased.changes === 0) return false;
    const error = await this.attempt(row);
    const attempts = Number(row.attempts) + 1;
    if (error === '') {
      await this.db.run("UPDATE trade_notifications SET status = 'delivered', attempts = ?, last_error = '' WHERE notify_id = ?", [
        BigInt(attempts),
        row.notify_id,
      ]);
      return true;
    }
    const failed = attempts >= MAX_SENDS;
    const nextAt = failed ? now : now + RETRY_DELAYS_MS[attempts - 1];
    await this.db.run('UPDATE trade_notifications SET status = ?, attempts = ?, next_at = ?, last_error = ? WHERE notify_id = ?', [
      failed ? 'failed' : 'pending',
      BigInt(attempts),
      BigInt(nextAt),
      error.slice(0, 200),
      row.notify_id,
    ]);
    return false;
  }

  /** '' when the merchant answered exactly `success`, else why not. */
  private async attempt(row: NotificationRow): Promise<string> {
    try {
      const answer = await this.deliver(row.notify_url, this.wire.encode(JSON.parse(row.fields) as Record<string, string>));
      return answer === 'success' ? '' : `answered '${answer.slice(0, 40)}'`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** When the next pending notification is due (epoch ms), or null. */
  async nextDue(): Promise<number | null> {
    const row = await this.db.get<{ due: bigint | null }>("SELECT min(next_at) AS due FROM trade_notifications WHERE status = 'pending'");
    return row?.due == null ? null : Number(row.due);
  }

  async listFailed(merchantId: string, limit = 100): Promise<NotificationRecord[]> {
    const rows = await this.db.all<NotificationRow>(
      "SELECT * FROM trade_notifications WHERE merchant_id = ? AND status = 'failed' ORDER BY created_at DESC LIMIT ?",
      [merchantId, limit],
    );
    return rows.map(toRecord);
  }

  /** Queues a failed (or any) notification of this merchant again, with a fresh set of 8 sends. */
  async resend(merchantId: string, notifyId: string): Promise<NotificationRecord> {
    const changed = await this.db.run(
      "UPDATE trade_notifications SET status = 'pending', attempts = 0, next_at = ? WHERE notify_id = ? AND merchant_id = ? AND status <> 'delivered'",
      [BigInt(this.clock.now()), notifyId, merchantId],
    );
    const row = await this.db.get<NotificationRow>('SELECT * FROM trade_notifications WHERE notify_id = ? AND merchant_id = ?', [notifyId, merchantId]);
    if (!row) throw new TradeError('NOTIFICATION_NOT_EXIST', `no notification '${notifyId}'`);
    if (changed.changes === 0 && row.status !== 'delivered') throw new TradeError('SYSTEM_ERROR', 'the notification could not be queued again');
    return toRecord(row);
  }

  /** For tests and the merchant console: the notifications of one trade, oldest first. */
  async forTrade(tradeNo: string): Promise<NotificationRecord[]> {
    const rows = await this.db.all<NotificationRow>('SELECT * FROM trade_notifications WHERE trade_no = ? ORDER BY created_at, notify_id', [tradeNo]);
    return rows.map(toRecord);
  }
}

function toRecord(row: NotificationRow): NotificationRecord {
  return {
    notifyId: row.notify_id,
    tradeNo: row.trade_no,
    notifyUrl: row.notify_url,
    status: row.status as NotificationRecord['status'],
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAtMs: Number(row.next_at),
    fields: JSON.parse(row.fields) as Record<string, string>,
  };
}
