// Every delivery attempt of a merchant notification, as the inspector shows it, and the faults
// ordered for the `notifications` target, applied where the notification leaves Formica.
import type { Clock } from '../../engine/clock.ts';
import type { Deliver } from '../trade/trade-notifications.ts';
import type { FaultKind, FaultSource } from './faults.ts';
import { RingLog } from './ring-log.ts';

const KEEP_ATTEMPTS = 2_000;

export interface DeliveryAttempt {
  readonly atMs: number;
  readonly url: string;
  /** The form as posted, signature included. */
  readonly fields: Record<string, string>;
  /** The merchant's answer text, when one came. */
  readonly answer?: string;
  /** Why no answer came. */
  readonly error?: string;
  readonly fault?: FaultKind;
  /** The merchant answered exactly `success`. */
  readonly accepted: boolean;
}

export class NotificationLog {
  private readonly attempts = new RingLog<DeliveryAttempt>(KEEP_ATTEMPTS);

  constructor(
    private readonly clock: Clock,
    private readonly faults: FaultSource,
  ) {}

  /** Wraps how notifications are posted: records each attempt, and spoils it when a fault is due. */
  deliver(inner: Deliver): Deliver {
    return async (url, formBody) => {
      const atMs = this.clock.now();
      const fields = Object.fromEntries(new URLSearchParams(formBody));
      const fault = this.faults.take('notifications');
      try {
        const answer = fault ? await faulty(fault, inner, url, formBody) : await inner(url, formBody);
        this.attempts.push({ atMs, url, fields, answer, fault, accepted: answer === 'success' });
        return answer;
      } catch (error) {
        this.attempts.push({ atMs, url, fields, error: error instanceof Error ? error.message : String(error), fault, accepted: false });
        throw error;
      }
    };
  }

  /** Newest first. */
  list(matches: (attempt: DeliveryAttempt) => boolean): DeliveryAttempt[] {
    return this.attempts.newest(matches);
  }
}

async function faulty(kind: FaultKind, inner: Deliver, url: string, formBody: string): Promise<string> {
  switch (kind) {
    case 'decline':
      // The receiving end refuses it without reading it, as a merchant's firewall or proxy might.
      return 'fail (sandbox fault: decline)';
    case 'timeout':
      throw new Error('no answer in time (sandbox fault: timeout)');
    case 'late_answer':
      // The merchant gets it, but its answer is lost: it will be sent again, and must be handled once.
      await inner(url, formBody);
      throw new Error('the answer came too late (sandbox fault: late_answer)');
    case 'duplicate':
      await inner(url, formBody);
      return inner(url, formBody);
    case 'down':
      throw new Error('connect ECONNREFUSED (sandbox fault: down)');
  }
}
