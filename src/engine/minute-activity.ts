// Ledger activity per minute over the last hour, for the operations dashboard: named series, each
// counting the transfers of its codes (payments, wallet transfers, red packets sent, opened and
// refunded). Fed by the engine's committed batches (LedgerEngine.onTransfersCommitted): bounded
// (one slot per minute, 60 slots), O(events) to feed and O(60 x series) to read, and never a
// query against the store. It counts what this process committed since it started; several API
// processes each count their own.
import type { TransferEvent, TransferResult } from '../ledger/index.ts';
import type { Clock } from './clock.ts';

const MINUTE_MS = 60_000;

/** Each series' name and the transfer codes it counts; a code belongs to one series at most. */
export type ActivityCodes<Name extends string> = Readonly<Record<Name, ReadonlySet<number>>>;

export interface ActivitySeries<Name extends string> {
  /** The start of each minute, epoch ms, oldest first; the last one is the current minute. */
  readonly minuteStartsMs: number[];
  /** Per series, the count of each minute, in the order of `minuteStartsMs`. */
  readonly counts: Record<Name, number[]>;
  /** When counting began: minutes before it show 0 because nothing was observed, not because nothing happened. */
  readonly countingSinceMs: number;
}

interface Slot {
  minute: number;
  /** One count per series, in the order of the series' names. */
  counts: number[];
}

export class MinuteActivity<Name extends string> {
  private readonly slots: Slot[];
  private readonly names: readonly Name[];
  /** Transfer code -> the index of its series. */
  private readonly seriesOfCode = new Map<number, number>();
  readonly countingSinceMs: number;

  constructor(
    private readonly clock: Clock,
    codes: ActivityCodes<Name>,
    private readonly minutes = 60,
  ) {
    this.names = Object.keys(codes) as Name[];
    this.names.forEach((name, i) => {
      for (const code of codes[name]) {
        if (this.seriesOfCode.has(code)) throw new Error(`transfer code ${code} is counted by two activity series`);
        this.seriesOfCode.set(code, i);
      }
    });
    this.slots = Array.from({ length: minutes }, () => ({ minute: -1, counts: this.names.map(() => 0) }));
    this.countingSinceMs = clock.now();
  }

  /** A TransferBatchListener: counts each newly created (not posted or voided) transfer that succeeded. */
  readonly record = (requests: readonly (readonly TransferEvent[])[], results: readonly (readonly TransferResult[])[]): void => {
    const counted = this.names.map(() => 0);
    let any = false;
    requests.forEach((events, i) => {
      events.forEach((event, j) => {
        if (results[i][j] !== 'ok' || event.pendingId) return;
        const series = this.seriesOfCode.get(event.code);
        if (series === undefined) return;
        counted[series] += 1;
        any = true;
      });
    });
    if (!any) return;
    const slot = this.slotOf(Math.floor(this.clock.now() / MINUTE_MS));
    counted.forEach((n, i) => {
      slot.counts[i] += n;
    });
  };

  series(): ActivitySeries<Name> {
    const current = Math.floor(this.clock.now() / MINUTE_MS);
    const minuteStartsMs: number[] = [];
    const columns = this.names.map((): number[] => []);
    for (let minute = current - this.minutes + 1; minute <= current; minute += 1) {
      const slot = this.slots[this.index(minute)];
      const live = slot.minute === minute;
      minuteStartsMs.push(minute * MINUTE_MS);
      columns.forEach((column, i) => {
        column.push(live ? slot.counts[i] : 0);
      });
    }
    const counts = Object.fromEntries(this.names.map((name, i) => [name, columns[i]])) as Record<Name, number[]>;
    return { minuteStartsMs, counts, countingSinceMs: this.countingSinceMs };
  }

  /** The slot of `minute`, emptied first when it still holds an older minute (the ring wrapped). */
  private slotOf(minute: number): Slot {
    const slot = this.slots[this.index(minute)];
    if (slot.minute !== minute) {
      slot.minute = minute;
      slot.counts.fill(0);
    }
    return slot;
  }

  private index(minute: number): number {
    return ((minute % this.minutes) + this.minutes) % this.minutes;
  }
}
