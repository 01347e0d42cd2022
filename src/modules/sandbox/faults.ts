// Faults on demand: "the next N calls to the bank time out". One registry per sandbox; each
// client that can fail asks it, call by call, whether this call is one of the faulty ones.
export const FAULT_TARGETS = ['bank', 'notifications', 'biller'] as const;
export const FAULT_KINDS = ['decline', 'timeout', 'late_answer', 'duplicate', 'down'] as const;

export type FaultTarget = (typeof FAULT_TARGETS)[number];
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PendingFault {
  readonly target: FaultTarget;
  readonly kind: FaultKind;
  /** How many more calls it will spoil. */
  readonly remaining: number;
}

/** What a client consumes: a future biller client calls `take('biller')` before each call. */
export interface FaultSource {
  take(target: FaultTarget): FaultKind | undefined;
}

export class FaultRegistry implements FaultSource {
  /** Per target, first in first out: two orders for one target apply one after the other. */
  private readonly queues = new Map<FaultTarget, { kind: FaultKind; remaining: number }[]>();

  add(target: FaultTarget, kind: FaultKind, count: number): void {
    if (!Number.isInteger(count) || count < 1) throw new RangeError('a fault applies to at least one call');
    const queue = this.queues.get(target) ?? [];
    queue.push({ kind, remaining: count });
    this.queues.set(target, queue);
  }

  take(target: FaultTarget): FaultKind | undefined {
    const queue = this.queues.get(target);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) queue.shift();
    return head.kind;
  }

  pending(): PendingFault[] {
    return FAULT_TARGETS.flatMap((target) => (this.queues.get(target) ?? []).map((f) => ({ target, kind: f.kind, remaining: f.remaining })));
  }
}
