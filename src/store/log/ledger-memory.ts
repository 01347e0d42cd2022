// What the log layout's writer keeps in memory: every account (by integer key, in typed arrays,
// with the log seq that last changed it), the id -> key map, the still-pending transfers, the last
// timestamp, and the tail of log rows not materialized yet. It changes only by applying log rows in seq order,
// the writer's own after they commit and other writers' as it finds them, so it is always the
// fold of the log up to `seq`.
import { type Account, LedgerInvariantError, type PendingState, type Transfer, type TransferResult } from '../../ledger/index.ts';
import type { BatchEffects } from '../../ledger/index.ts';
import type { AfterImage, LogRecord } from './codec.ts';
import { IdFilter } from './id-filter.ts';
import { LogTail } from './log-tail.ts';

/** Fixed fields and balances of every account in typed arrays by key - 1, grown by doubling:
 *  about a third of the memory of one Account object per account. */
class AccountColumns {
  capacity = 1024;
  ids: string[] = [];
  userData: string[] = [];
  numbers = new Uint32Array(this.capacity * 3);
  bigints = new BigInt64Array(this.capacity * 5);
  changedAt = new Float64Array(this.capacity);

  get size(): number {
    return this.ids.length;
  }

  push(account: Account): number {
    const i = this.ids.length;
    if (i === this.capacity) this.grow();
    this.ids.push(account.id);
    this.userData.push(account.userData);
    this.numbers.set([account.ledger, account.code, account.flags], i * 3);
    this.bigints[i * 5 + 4] = account.timestamp;
    this.write(i, account);
    return i + 1;
  }

  write(i: number, a: Omit<AfterImage, 'key'>): void {
    this.numbers[i * 3 + 2] = a.flags;
    const b = this.bigints;
    b[i * 5] = a.debitsPending;
    b[i * 5 + 1] = a.debitsPosted;
    b[i * 5 + 2] = a.creditsPending;
    b[i * 5 + 3] = a.creditsPosted;
  }

  read(i: number): Account {
    const n = this.numbers;
    const b = this.bigints;
    return {
      id: this.ids[i],
      ledger: n[i * 3],
      code: n[i * 3 + 1],
      flags: n[i * 3 + 2],
      userData: this.userData[i],
      debitsPending: b[i * 5],
      debitsPosted: b[i * 5 + 1],
      creditsPending: b[i * 5 + 2],
      creditsPosted: b[i * 5 + 3],
      timestamp: b[i * 5 + 4],
    };
  }

  private grow(): void {
    this.capacity *= 2;
    const numbers = new Uint32Array(this.capacity * 3);
    numbers.set(this.numbers);
    this.numbers = numbers;
    const bigints = new BigInt64Array(this.capacity * 5);
    bigints.set(this.bigints);
    this.bigints = bigints;
    const changedAt = new Float64Array(this.capacity);
    changedAt.set(this.changedAt);
    this.changedAt = changedAt;
  }
}

export class LedgerMemory {
  /** The last log row applied. */
  seq = 0;
  lastTimestamp = 0n;
  hasFailures = false;
  /** Account of key k at k - 1, with the seq of the row that last changed it. */
  private readonly accounts = new AccountColumns();
  private readonly keys = new Map<string, number>();
  /** Transfers still pending, by id. */
  readonly pending = new Map<string, PendingState>();
  readonly tail = new LogTail();

  /** `heldIds`: every transfer and failed id the log holds, as a filter that can say "certainly
   *  not"; a fold made only to be compared (`verify`) passes `IdFilter.none()`. */
  constructor(readonly heldIds: IdFilter = new IdFilter()) {}

  get size(): number {
    return this.accounts.size;
  }

  keyOf(id: string): number | undefined {
    return this.keys.get(id);
  }

  idOf(key: number): string {
    const id = this.accounts.ids[key - 1];
    if (id === undefined) throw new LedgerInvariantError(`the log names account key ${key}, which it never created`);
    return id;
  }

  /** A private copy of an account, or undefined. */
  account(id: string): Account | undefined {
    const key = this.keys.get(id);
    return key === undefined ? undefined : this.accounts.read(key - 1);
  }

  /** The seq of the row that last changed `id`, 0 when unknown. */
  changedSeq(id: string): number {
    const key = this.keys.get(id);
    return key === undefined ? 0 : this.accounts.changedAt[key - 1];
  }

  /** Account ids in id order. */
  sortedIds(): string[] {
    return [...this.keys.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** Every account in id order, `batchSize` at a time. */
  *accountPages(batchSize: number): Iterable<Account[]> {
    const ids = this.sortedIds();
    for (let i = 0; i < ids.length; i += batchSize) yield ids.slice(i, i + batchSize).map((id) => this.account(id) as Account);
  }

  /** Still-pending transfers due at `nowNs`, earliest deadline first (then by id), at most `limit`. */
  duePendingIds(nowNs: bigint, limit: number): string[] {
    const due = [...this.pending.values()].filter((p) => p.expiresAt > 0n && p.expiresAt <= nowNs);
    due.sort((a, b) => (a.expiresAt < b.expiresAt ? -1 : a.expiresAt > b.expiresAt ? 1 : a.id < b.id ? -1 : 1));
    return due.slice(0, limit).map((p) => p.id);
  }

  /** The earliest deadline of a still-pending transfer, or null. */
  nextExpiry(): bigint | null {
    let next: bigint | null = null;
    for (const p of this.pending.values()) if (p.expiresAt > 0n && (next === null || p.expiresAt < next)) next = p.expiresAt;
    return next;
  }

  /** Loads an account materialized in the state file (at open, in key order). */
  loadAccount(key: number, account: Account): void {
    if (key !== this.accounts.size + 1) throw new LedgerInvariantError(`state file account key ${key} out of order`);
    this.accounts.push(account);
    this.keys.set(account.id, key);
  }

  /** The log record of a computed batch, checked against what memory holds (nothing applied yet). */
  record(effects: BatchEffects): LogRecord {
    if (effects.lastTimestamp < this.lastTimestamp) throw new LedgerInvariantError(`the ledger's clock went back to ${effects.lastTimestamp}`);
    const newAccounts = effects.newAccounts.map((account, i) => {
      if (this.keys.has(account.id)) throw new LedgerInvariantError(`account ${account.id} created twice`);
      return { key: this.accounts.size + i + 1, account: { ...account } };
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
      if (this.tail.transfer(t.id)) throw new LedgerInvariantError(`transfer ${t.id} created twice`);
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

  /** How `record`'s transfers name their accounts: the key memory holds, or the one the record creates. */
  keysFor(record: LogRecord): (accountId: string) => number {
    const created = new Map(record.newAccounts.map((k) => [k.account.id, k.key]));
    return (id) => {
      const key = this.keys.get(id) ?? created.get(id);
      if (key === undefined) throw new LedgerInvariantError(`transfer names account ${id}, which does not exist`);
      return key;
    };
  }

  /** The transfers among `ids` the tail holds, and the others the materialized state may hold
   *  (an id the filter rules out is new: neither a transfer nor a failure anywhere). */
  tailTransfers(ids: Iterable<string>): { found: Map<string, Transfer>; missing: string[] } {
    const found = new Map<string, Transfer>();
    const missing: string[] = [];
    for (const id of ids) {
      // Ruled out by the filter: new everywhere, the tail included, so no map is asked.
      if (!this.heldIds.mayHold(id)) continue;
      const t = this.tail.transfer(id);
      if (t) found.set(id, t.value);
      else missing.push(id);
    }
    return { found, missing };
  }

  /** A batch's accounts: those it names and both sides of each of its transfers, as private copies. */
  accountsFor(accountIds: Iterable<string>, transfers: Iterable<Transfer>): Map<string, Account> {
    const named = new Set(accountIds);
    for (const t of transfers) named.add(t.debitAccountId).add(t.creditAccountId);
    const accounts = new Map<string, Account>();
    for (const id of named) {
      const account = this.account(id);
      if (account) accounts.set(id, account);
    }
    return accounts;
  }

  /** The pending state of a transfer as memory knows it (still pending, or changed in the tail);
   *  undefined when only the materialized state can tell. */
  pendingState(id: string): PendingState | undefined {
    const state = this.pending.get(id) ?? this.tail.pending.get(id)?.value;
    return state && { ...state };
  }

  /** The failures among `ids` the tail holds, and the ids to look up in the materialized state
   *  (none while no id has ever failed). */
  tailFailures(ids: readonly string[]): { found: Map<string, TransferResult>; older: string[] } {
    const found = new Map<string, TransferResult>();
    const older: string[] = [];
    if (!this.hasFailures) return { found, older };
    for (const id of ids) {
      const result = this.tail.failures.get(id)?.value;
      if (result) found.set(id, result);
      else older.push(id);
    }
    return { found, older };
  }

  /** Applies the log row `seq`, which must be the next one. */
  apply(seq: number, record: LogRecord): void {
    if (seq !== this.seq + 1) throw new LedgerInvariantError(`log row ${seq} applied after ${this.seq}`);
    const { accounts } = this;
    for (const { key, account } of record.newAccounts) {
      this.loadAccount(key, account);
      accounts.changedAt[key - 1] = seq;
    }
    for (const image of record.afterImages) {
      if (image.key < 1 || image.key > accounts.size) throw new LedgerInvariantError(`after-image of account key ${image.key}, which does not exist`);
      accounts.write(image.key - 1, image);
      accounts.changedAt[image.key - 1] = seq;
    }
    for (const p of record.newPending) if (p.status === 'pending') this.pending.set(p.id, { ...p });
    for (const p of record.resolvedPending) this.pending.delete(p.id);
    if (record.failures.length > 0) this.hasFailures = true;
    for (const t of record.transfers) this.heldIds.add(t.id);
    for (const f of record.failures) this.heldIds.add(f.id);
    this.tail.add(seq, record);
    this.lastTimestamp = record.lastTimestamp;
    this.seq = seq;
  }
}
