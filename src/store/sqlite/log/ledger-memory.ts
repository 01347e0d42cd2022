// What the log layout's writer keeps in memory: every account (by integer key, with the log seq
// that last changed it), the id -> key map, the still-pending transfers, the last timestamp, and
// the tail of log rows not materialized yet. It changes only by applying log rows in seq order,
// the writer's own after they commit and other writers' as it finds them, so it is always the
// fold of the log up to `seq`.
import { type Account, LedgerInvariantError, type PendingState } from '../../../ledger/index.ts';
import type { BatchEffects } from '../../../ledger/index.ts';
import type { AfterImage, LogRecord } from './codec.ts';
import { LogTail } from './log-tail.ts';

export class LedgerMemory {
  /** The last log row applied. */
  seq = 0;
  lastTimestamp = 0n;
  hasFailures = false;
  /** Account of key k at k - 1, and the seq of the row that last changed it. */
  private readonly accounts: Account[] = [];
  private readonly changedAt: number[] = [];
  private readonly keys = new Map<string, number>();
  /** Transfers still pending, by id. */
  readonly pending = new Map<string, PendingState>();
  readonly tail = new LogTail();

  get size(): number {
    return this.accounts.length;
  }

  keyOf(id: string): number | undefined {
    return this.keys.get(id);
  }

  idOf(key: number): string {
    const account = this.accounts[key - 1];
    if (!account) throw new LedgerInvariantError(`the log names account key ${key}, which it never created`);
    return account.id;
  }

  /** A private copy of an account, or undefined. */
  account(id: string): Account | undefined {
    const key = this.keys.get(id);
    return key === undefined ? undefined : { ...this.accounts[key - 1] };
  }

  /** The seq of the row that last changed `id`, 0 when unknown. */
  changedSeq(id: string): number {
    const key = this.keys.get(id);
    return key === undefined ? 0 : this.changedAt[key - 1];
  }

  /** Account ids in id order. */
  sortedIds(): string[] {
    return [...this.keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Loads an account materialized in the state file (at open, in key order). */
  loadAccount(key: number, account: Account): void {
    if (key !== this.accounts.length + 1) throw new LedgerInvariantError(`state file account key ${key} out of order`);
    this.accounts.push(account);
    this.changedAt.push(0);
    this.keys.set(account.id, key);
  }

  /** The log record of a computed batch, checked against what memory holds (nothing applied yet). */
  record(effects: BatchEffects): LogRecord {
    if (effects.lastTimestamp < this.lastTimestamp) throw new LedgerInvariantError(`the ledger's clock went back to ${effects.lastTimestamp}`);
    const newAccounts = effects.newAccounts.map((account, i) => {
      if (this.keys.has(account.id)) throw new LedgerInvariantError(`account ${account.id} created twice`);
      return { key: this.accounts.length + i + 1, account: { ...account } };
    });
    if (new Set(newAccounts.map((k) => k.account.id)).size !== newAccounts.length) throw new LedgerInvariantError('an account created twice in one batch');
    const afterImages: AfterImage[] = effects.changedAccounts.map((a) => {
      const key = this.keys.get(a.id);
      if (key === undefined) throw new LedgerInvariantError(`changed account ${a.id} does not exist`);
      return {
        key,
        flags: a.flags,
        debitsPending: a.debitsPending,
        debitsPosted: a.debitsPosted,
        creditsPending: a.creditsPending,
        creditsPosted: a.creditsPosted,
      };
    });
    for (const t of effects.newTransfers) {
      if (this.tail.transfers.has(t.id)) throw new LedgerInvariantError(`transfer ${t.id} created twice`);
    }
    return {
      newAccounts,
      afterImages,
      transfers: effects.newTransfers,
      newPending: effects.newPending,
      resolvedPending: effects.resolvedPending,
      failures: effects.newFailures,
      lastTimestamp: effects.lastTimestamp,
    };
  }

  /** Applies the log row `seq`, which must be the next one. */
  apply(seq: number, record: LogRecord): void {
    if (seq !== this.seq + 1) throw new LedgerInvariantError(`log row ${seq} applied after ${this.seq}`);
    for (const { key, account } of record.newAccounts) {
      this.loadAccount(key, { ...account });
      this.changedAt[key - 1] = seq;
    }
    for (const image of record.afterImages) {
      const { key, ...balances } = image;
      Object.assign(this.accounts[key - 1], balances);
      this.changedAt[key - 1] = seq;
    }
    for (const p of record.newPending) if (p.status === 'pending') this.pending.set(p.id, { ...p });
    for (const p of record.resolvedPending) this.pending.delete(p.id);
    if (record.failures.length > 0) this.hasFailures = true;
    this.tail.add(seq, record);
    this.lastTimestamp = record.lastTimestamp;
    this.seq = seq;
  }
}
