// The spending limits' usage counters, summed over a write group: each payment's claim adds its
// amount to (payer, period) here, and the group writes every counter it touched in one statement
// at its end, instead of three upserts per payment. A claim the group refuses (its savepoint undone)
// takes its amounts back out; a group that rolls back forgets them all.
import type { GroupTally } from '../../engine/step.ts';
import type { SqlExecutor } from '../../store/sql.ts';

interface Delta {
  readonly userId: string;
  readonly period: string;
  amountMinor: bigint;
}

/** Counters per upsert statement: three parameters each, well under every store's limit. */
const COUNTERS_PER_STATEMENT = 1_000;

export class UsageTally implements GroupTally {
  private group: SqlExecutor | null = null;
  /** What the group's kept claims and its records added, by `user\0period`. */
  private readonly kept = new Map<string, Delta>();
  /** What the claim running now added; kept or dropped when it ends. */
  private staged: Delta[] = [];

  begin(tx: SqlExecutor): void {
    this.group = tx;
  }

  /** True when `tx` is the open write group's transaction: its counts wait for the group's end. */
  gathers(tx: SqlExecutor): boolean {
    return this.group !== null && tx === this.group;
  }

  add(userId: string, period: string, amountMinor: bigint): void {
    this.staged.push({ userId, period, amountMinor });
  }

  /** What the group has added to (user, period) so far and not written yet. */
  pending(userId: string, period: string): bigint {
    let sum = this.kept.get(key(userId, period))?.amountMinor ?? 0n;
    for (const d of this.staged) if (d.userId === userId && d.period === period) sum += d.amountMinor;
    return sum;
  }

  claimEnded(kept: boolean): void {
    if (kept) this.keepStaged();
    this.staged = [];
  }

  async flush(tx: SqlExecutor): Promise<void> {
    this.keepStaged();
    this.staged = [];
    // In key order: writers that lock the same counters take them in the same order.
    const deltas = [...this.kept.values()].filter((d) => d.amountMinor !== 0n).sort((a, b) => compare(key(a.userId, a.period), key(b.userId, b.period)));
    for (let i = 0; i < deltas.length; i += COUNTERS_PER_STATEMENT) {
      const chunk = deltas.slice(i, i + COUNTERS_PER_STATEMENT);
      await tx.run(
        `INSERT INTO wallet_usage (user_id, period, used_minor) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
         ON CONFLICT (user_id, period) DO UPDATE SET used_minor = wallet_usage.used_minor + excluded.used_minor`,
        chunk.flatMap((d) => [d.userId, d.period, d.amountMinor]),
      );
    }
  }

  end(): void {
    this.group = null;
    this.kept.clear();
    this.staged = [];
  }

  private keepStaged(): void {
    for (const d of this.staged) {
      const k = key(d.userId, d.period);
      const sum = this.kept.get(k);
      if (sum) sum.amountMinor += d.amountMinor;
      else this.kept.set(k, { ...d });
    }
  }
}

function key(userId: string, period: string): string {
  return `${userId}\u0000${period}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
