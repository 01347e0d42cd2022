// The part of the ledger one batch reads and writes, loaded by the store before the batch runs.
// Mutations inside a linked chain are journaled so that a failed chain is undone exactly.
import { LedgerInvariantError } from './invariant.ts';
import type { TransferResult } from './results.ts';
import type { Account, PendingState, Transfer } from './types.ts';

export interface Snapshot {
  /** Accounts the batch names, as stored (missing ids are simply absent). */
  readonly accounts: Map<string, Account>;
  /** Transfers the batch names by id or pending id. */
  readonly transfers: Map<string, Transfer>;
  /** Pending states of the pending transfers in `transfers`. */
  readonly pending: Map<string, PendingState>;
  /** Ids that failed before on the ledger's state (`id_already_failed`). */
  readonly failed: Map<string, TransferResult>;
  /** The last timestamp the ledger assigned. */
  readonly lastTimestamp: bigint;
}

/** What a batch changed, for the store to persist in one transaction. */
export interface BatchEffects {
  readonly newAccounts: Account[];
  readonly newTransfers: Transfer[];
  /** Existing accounts whose balances or flags changed (new accounts are not repeated here). */
  readonly changedAccounts: Account[];
  readonly newPending: PendingState[];
  /** Pending transfers that were posted, voided or expired. */
  readonly resolvedPending: PendingState[];
  readonly newFailures: { id: string; result: TransferResult }[];
  readonly lastTimestamp: bigint;
}

type Undo = () => void;

export class WorkingSet {
  private readonly created = new Set<string>();
  private readonly createdAccounts: Account[] = [];
  private readonly createdTransfers: Transfer[] = [];
  private readonly touched = new Set<Account>();
  private readonly createdPending: PendingState[] = [];
  private readonly resolved = new Set<PendingState>();
  private readonly failures: { id: string; result: TransferResult }[] = [];
  private journal: Undo[] | null = null;
  private lastTimestamp: bigint;

  constructor(private readonly snapshot: Snapshot) {
    this.lastTimestamp = snapshot.lastTimestamp;
  }

  /** The next strictly increasing ledger timestamp, never before `now`. */
  nextTimestamp(nowNs: bigint): bigint {
    this.lastTimestamp = this.peekTimestamp(nowNs);
    return this.lastTimestamp;
  }

  peekTimestamp(nowNs: bigint): bigint {
    return nowNs > this.lastTimestamp ? nowNs : this.lastTimestamp + 1n;
  }

  account(id: string): Account | undefined {
    return this.snapshot.accounts.get(id);
  }

  transfer(id: string): Transfer | undefined {
    return this.snapshot.transfers.get(id);
  }

  pendingState(id: string): PendingState | undefined {
    return this.snapshot.pending.get(id);
  }

  failedResult(id: string): TransferResult | undefined {
    return this.snapshot.failed.get(id);
  }

  beginChain(): void {
    this.journal = [];
  }

  endChain(commit: boolean): void {
    const journal = this.journal;
    this.journal = null;
    if (commit || !journal) return;
    for (let i = journal.length - 1; i >= 0; i--) journal[i]();
  }

  addAccount(account: Account): void {
    const { accounts } = this.snapshot;
    if (accounts.has(account.id)) throw new LedgerInvariantError(`account ${account.id} created twice`);
    accounts.set(account.id, account);
    this.createdAccounts.push(account);
    this.created.add(account.id);
    this.journal?.push(() => {
      accounts.delete(account.id);
      this.createdAccounts.pop();
      this.created.delete(account.id);
    });
  }

  addTransfer(transfer: Transfer, pending: PendingState | null): void {
    const { transfers } = this.snapshot;
    if (transfers.has(transfer.id)) throw new LedgerInvariantError(`transfer ${transfer.id} created twice`);
    transfers.set(transfer.id, transfer);
    this.createdTransfers.push(transfer);
    if (pending) {
      this.snapshot.pending.set(pending.id, pending);
      this.createdPending.push(pending);
    }
    this.journal?.push(() => {
      transfers.delete(transfer.id);
      this.createdTransfers.pop();
      if (pending) {
        this.snapshot.pending.delete(pending.id);
        this.createdPending.pop();
      }
    });
  }

  /** Runs `change` on an account, remembering its balances and flags so a failed chain restores them. */
  changeAccount(account: Account, change: (a: Account) => void): void {
    if (this.journal) {
      const { flags, debitsPending, debitsPosted, creditsPending, creditsPosted } = account;
      const wasTouched = this.touched.has(account);
      this.journal.push(() => {
        Object.assign(account, { flags, debitsPending, debitsPosted, creditsPending, creditsPosted });
        if (!wasTouched) this.touched.delete(account);
      });
    }
    change(account);
    this.touched.add(account);
  }

  resolvePending(state: PendingState, status: PendingState['status']): void {
    if (state.status !== 'pending') {
      throw new LedgerInvariantError(`pending transfer ${state.id} resolved twice (${state.status}, ${status})`);
    }
    const wasResolved = this.resolved.has(state);
    state.status = status;
    this.resolved.add(state);
    this.journal?.push(() => {
      state.status = 'pending';
      if (!wasResolved) this.resolved.delete(state);
    });
  }

  /** Failed ids stay failed even when their chain is rolled back: the failure was real. */
  recordFailure(id: string, result: TransferResult): void {
    this.snapshot.failed.set(id, result);
    this.failures.push({ id, result });
  }

  effects(): BatchEffects {
    const createdPendingIds = new Set(this.createdPending.map((p) => p.id));
    return {
      newAccounts: this.createdAccounts,
      newTransfers: this.createdTransfers,
      changedAccounts: [...this.touched].filter((a) => !this.created.has(a.id)),
      newPending: this.createdPending,
      resolvedPending: [...this.resolved].filter((p) => !createdPendingIds.has(p.id)),
      newFailures: this.failures,
      lastTimestamp: this.lastTimestamp,
    };
  }
}
