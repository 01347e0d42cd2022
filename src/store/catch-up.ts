// When a store indexes its account history: after a commit leaves a long unindexed tail
// (one large sorted pass costs about what one batch's scattered index writes used to), and a while
// after any write so that a quiet store ends up fully indexed and queries scan no tail at all.
// Passes run on their own turn of the event loop, after the batch's callers have their results.

export interface CatchUpPolicy {
  /** Start a pass as soon as this many transfers are unindexed. */
  readonly tailTransfers: number;
  /** Otherwise start one this long after the tail became non-empty; 0 never does. */
  readonly idleMs: number;
}

export const DEFAULT_CATCH_UP: CatchUpPolicy = { tailTransfers: 131_072, idleMs: 1_000 };

/** How long a failed pass (e.g. another connection held the write lock) waits to retry. */
const RETRY_MS = 1_000;

export class CatchUpScheduler {
  private tail = 0;
  private soon: NodeJS.Immediate | null = null;
  private later: NodeJS.Timeout | null = null;
  private closed = false;

  /** `pass` indexes part of the tail and returns how many transfers are still unindexed. */
  constructor(
    private readonly policy: CatchUpPolicy,
    private readonly pass: () => number,
  ) {}

  /** Call after a commit that added `transfers` to the tail (or with the tail found at open). */
  written(transfers: number): void {
    this.tail += transfers;
    this.plan();
  }

  /** Call after any pass, scheduled or not, with what it left unindexed. */
  caughtUp(remaining: number): void {
    this.tail = remaining;
    if (remaining === 0) this.cancel();
  }

  close(): void {
    this.closed = true;
    this.cancel();
  }

  private plan(): void {
    if (this.closed || this.tail === 0 || this.soon) return;
    if (this.tail >= this.policy.tailTransfers) {
      this.soon = setImmediate(() => this.run());
    } else if (!this.later && this.policy.idleMs > 0) {
      this.later = setTimeout(() => this.run(), this.policy.idleMs).unref();
    }
  }

  private run(): void {
    this.cancel();
    if (this.closed) return;
    try {
      this.caughtUp(this.pass());
      this.plan();
    } catch (error) {
      // The index is only behind, never wrong: queries still scan the tail. Try again later.
      process.emitWarning(`account index catch-up failed, retrying: ${(error as Error).message}`);
      if (!this.closed) this.later = setTimeout(() => this.run(), RETRY_MS).unref();
    }
  }

  private cancel(): void {
    if (this.soon) clearImmediate(this.soon);
    if (this.later) clearTimeout(this.later);
    this.soon = null;
    this.later = null;
  }
}
