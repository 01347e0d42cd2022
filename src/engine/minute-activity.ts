// Payments and wallet transfers per minute over the last hour, for the operations dashboard. Fed
// by the engine's committed batches (LedgerEngine.onTransfersCommitted): bounded (one slot per
// minute, 60 slots), O(events) to feed and O(60) to read, and never a query against the store.
// It counts what this process committed since it started; several API processes each count their own.
import type { TransferEvent, TransferResult } from '../ledger/index.ts';
import type { Clock } from './clock.ts';

const MINUTE_MS = 60_000;

/** Which transfer codes count as what: a payment (trades) or a transfer between wallets. */
export interface ActivityCodes {
  readonly payments: ReadonlySet<number>;
  readonly transfers: ReadonlySet<number>;
}

export interface ActivitySeries {
  /** The start of each minute, epoch ms, oldest first; the last one is the current minute. */
  readonly minuteStartsMs: number[];
  readonly payments: number[];
  readonly transfers: number[];
  /** When counting began: minutes before it show 0 because nothing was observed, not because nothing happened. */
  readonly countingSinceMs: number;
}

interface Slot {
  minute: number;
  payments: number;
  transfers: number;
}

export class MinuteActivity {
  private readonly slots: Slot[];
  readonly countingSinceMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly codes: ActivityCodes,
    private readonly minutes = 60,
  ) {
    this.slots = Array.from({ length: minutes }, () => ({ minute: -1, payments: 0, transfers: 0 }));
    this.countingSinceMs = clock.now();
  }

  /** A TransferBatchListener: counts each newly created (not posted or voided) transfer that succeeded. */
  readonly record = (requests: readonly (readonly TransferEvent[])[], results: readonly (readonly TransferResult[])[]): void => {
    let payments = 0;
    let transfers = 0;
    requests.forEach((events, i) => {
      events.forEach((event, j) => {
        if (results[i][j] !== 'ok' || event.pendingId) return;
        if (this.codes.payments.has(event.code)) payments += 1;
        else if (this.codes.transfers.has(event.code)) transfers += 1;
      });
    });
    if (payments === 0 && transfers === 0) return;
    const slot = this.slotOf(Math.floor(this.clock.now() / MINUTE_MS));
    slot.payments += payments;
    slot.transfers += transfers;
  };

  series(): ActivitySeries {
    const current = Math.floor(this.clock.now() / MINUTE_MS);
    const minuteStartsMs: number[] = [];
    const payments: number[] = [];
    const transfers: number[] = [];
    for (let minute = current - this.minutes + 1; minute <= current; minute += 1) {
      const slot = this.slots[this.index(minute)];
      const live = slot.minute === minute;
      minuteStartsMs.push(minute * MINUTE_MS);
      payments.push(live ? slot.payments : 0);
      transfers.push(live ? slot.transfers : 0);
    }
    return { minuteStartsMs, payments, transfers, countingSinceMs: this.countingSinceMs };
  }

  /** The slot of `minute`, emptied first when it still holds an older minute (the ring wrapped). */
  private slotOf(minute: number): Slot {
    const slot = this.slots[this.index(minute)];
    if (slot.minute !== minute) {
      slot.minute = minute;
      slot.payments = 0;
      slot.transfers = 0;
    }
    return slot;
  }

  private index(minute: number): number {
    return ((minute % this.minutes) + this.minutes) % this.minutes;
  }
}
