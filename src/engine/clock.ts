// Time is injected: everything that waits, expires or accrues reads a Clock that tests control.
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  constructor(private ms: number = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.ms;
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error('a clock never goes back');
    this.ms += ms;
  }

  set(ms: number): void {
    if (ms < this.ms) throw new Error('a clock never goes back');
    this.ms = ms;
  }
}

export function nowNs(clock: Clock): bigint {
  return BigInt(clock.now()) * 1_000_000n;
}
