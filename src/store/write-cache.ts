// What a store's writer remembers between its own batches: committed accounts, the last ledger
// timestamp and whether any failed id exists. It is trusted only while nobody else has written
// since this writer's last commit, which each store tells by a stamp of its own: SQLite by
// `PRAGMA data_version` (another connection) and `total_changes()` (a write outside a batch),
// PostgreSQL by the writer generation read under the ledger_meta row lock (decision 32).
import type { Account, BatchEffects } from '../ledger/index.ts';

/** The two counters that reveal a write this store did not make. */
export interface WriteStamp {
  readonly dataVersion: bigint;
  readonly changes: bigint;
}

/** Accounts kept at most; the least recently used go first. */
const MAX_ACCOUNTS = 200_000;

export class WriteCache {
  private readonly accounts = new Map<string, Account>();
  private stamp: WriteStamp | null = null;
  lastTimestamp: bigint | null = null;
  hasFailures: boolean | null = null;

  /** Call inside the write transaction, before reading: forgets everything if another writer committed. */
  validate(current: WriteStamp): void {
    const s = this.stamp;
    if (s && s.dataVersion === current.dataVersion && s.changes === current.changes) return;
    this.accounts.clear();
    this.lastTimestamp = null;
    this.hasFailures = null;
  }

  /** A private copy of a committed account, or undefined when it is not cached. */
  account(id: string): Account | undefined {
    const a = this.accounts.get(id);
    return a && { ...a };
  }

  /** Remembers a committed account read from the file (a private copy). */
  remember(account: Account): void {
    this.accounts.set(account.id, { ...account });
  }

  /** Call after a write group committed, with its ledger batch's effects when it had one (its
   *  other writes are modules' rows, which change nothing cached). */
  committed(effects: BatchEffects | undefined, stamp: WriteStamp): void {
    this.stamp = stamp;
    if (!effects) return;
    for (const a of effects.newAccounts) this.keep(a);
    for (const a of effects.changedAccounts) this.keep(a);
    this.lastTimestamp = effects.lastTimestamp;
    if (effects.newFailures.length > 0) this.hasFailures = true;
    this.evict();
  }

  /** Call after this store committed a write that changes nothing cached (the account index):
   *  the cache stays trusted if it was trusted when that write began. */
  carry(before: WriteStamp, after: WriteStamp): void {
    const s = this.stamp;
    if (s && s.dataVersion === before.dataVersion && s.changes === before.changes) this.stamp = after;
  }

  /** Call when a batch did not commit: its reads may be stale now. */
  abandon(): void {
    this.stamp = null;
  }

  private keep(account: Account): void {
    this.accounts.delete(account.id);
    this.accounts.set(account.id, { ...account });
  }

  private evict(): void {
    if (this.accounts.size <= MAX_ACCOUNTS) return;
    let excess = this.accounts.size - MAX_ACCOUNTS;
    for (const id of this.accounts.keys()) {
      if (excess-- <= 0) break;
      this.accounts.delete(id);
    }
  }
}
