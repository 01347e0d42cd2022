// An in-memory ledger for tests: holds the whole state in maps, feeds the pure core one snapshot per
// batch (copies of what the batch names), applies the returned effects, and audits the invariants.
import { MAX_AMOUNT_MINOR } from '../../money/amount.ts';
import { AccountFlag, type AccountFlagName, flagsToBits, has, TransferFlag, type TransferFlagName } from '../flags.ts';
import { runAccountBatch, runExpiry, runTransferBatch, transferBatchKeys } from '../ledger.ts';
import type { AccountResult, TransferResult } from '../results.ts';
import type { Account, AccountEvent, PendingState, Transfer, TransferEvent } from '../types.ts';
import { NANOS_PER_SECOND } from '../types.ts';
import type { BatchEffects, Snapshot } from '../working-set.ts';

export interface AccountSpec {
  readonly id: string;
  readonly ledger?: number;
  readonly code?: number;
  readonly flags?: readonly AccountFlagName[];
  readonly userData?: string;
}

export interface TransferSpec {
  readonly id: string;
  readonly dr?: string | null;
  readonly cr?: string | null;
  readonly amount?: bigint | number | null;
  readonly pendingId?: string | null;
  readonly timeout?: number;
  /** Defaults to 1, or 0 (inherit) on posts and voids. */
  readonly ledger?: number;
  /** Defaults to 1, or 0 (inherit) on posts and voids. */
  readonly code?: number;
  readonly flags?: readonly TransferFlagName[];
  readonly userData?: string | null;
}

export interface Balances {
  readonly debitsPending: bigint;
  readonly debitsPosted: bigint;
  readonly creditsPending: bigint;
  readonly creditsPosted: bigint;
}

export const START_NS = 1_700_000_000n * NANOS_PER_SECOND;

export function bits(table: Readonly<Record<string, number>>, names: readonly string[]): number {
  const result = flagsToBits(table, names);
  if (typeof result !== 'number') throw new Error(`unknown flag ${result.unknown}`);
  return result;
}

export function accountEvent(spec: AccountSpec): AccountEvent {
  return {
    id: spec.id,
    ledger: spec.ledger ?? 1,
    code: spec.code ?? 1,
    flags: bits(AccountFlag, spec.flags ?? []),
    userData: spec.userData ?? '',
  };
}

export function transferEvent(spec: TransferSpec): TransferEvent {
  const flags = bits(TransferFlag, spec.flags ?? []);
  const inherits = has(flags, TransferFlag.post_pending_transfer | TransferFlag.void_pending_transfer);
  const amount = spec.amount ?? null;
  return {
    id: spec.id,
    debitAccountId: spec.dr ?? null,
    creditAccountId: spec.cr ?? null,
    amount: amount === null ? null : BigInt(amount),
    pendingId: spec.pendingId ?? null,
    timeout: spec.timeout ?? 0,
    ledger: spec.ledger ?? (inherits ? 0 : 1),
    code: spec.code ?? (inherits ? 0 : 1),
    flags,
    userData: spec.userData ?? null,
  };
}

function balancesOf(a: Balances): Balances {
  const { debitsPending, debitsPosted, creditsPending, creditsPosted } = a;
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

export class MemoryLedger {
  readonly accounts = new Map<string, Account>();
  readonly transfers = new Map<string, Transfer>();
  readonly pending = new Map<string, PendingState>();
  readonly failed = new Map<string, TransferResult>();
  lastTimestamp = 0n;
  nowNs: bigint;

  constructor(startNs: bigint = START_NS) {
    this.nowNs = startNs;
  }

  /** Moves the clock forward and expires whatever has become due. */
  advance(seconds: number): number {
    this.nowNs += BigInt(Math.round(seconds * 1e9));
    return this.expireDue();
  }

  createAccounts(specs: readonly (AccountSpec | AccountEvent)[]): AccountResult[] {
    return this.accountBatch([specs])[0];
  }

  accountBatch(requests: readonly (readonly (AccountSpec | AccountEvent)[])[]): AccountResult[][] {
    const events = requests.map((r) => r.map(toAccountEvent));
    const snapshot = this.snapshotFor(new Set(events.flat().map((a) => a.id)), new Set());
    const outcome = runAccountBatch(snapshot, events, this.nowNs);
    this.apply(outcome.effects);
    return outcome.results;
  }

  createTransfers(specs: readonly (TransferSpec | TransferEvent)[]): TransferResult[] {
    return this.transferBatch([specs])[0];
  }

  /** Several requests in one batch, as the engine's group commit sends them. */
  transferBatch(requests: readonly (readonly (TransferSpec | TransferEvent)[])[]): TransferResult[][] {
    const events = requests.map((r) => r.map(toTransferEvent));
    const keys = transferBatchKeys(events);
    const snapshot = this.snapshotFor(keys.accountIds, keys.transferIds);
    const outcome = runTransferBatch(snapshot, events, this.nowNs);
    this.apply(outcome.effects);
    return outcome.results;
  }

  /** Runs the expiry sweep over every pending transfer due at the current time. */
  expireDue(): number {
    const due = [...this.pending.values()].filter((p) => p.status === 'pending' && p.expiresAt !== 0n && p.expiresAt <= this.nowNs).map((p) => p.id);
    if (due.length === 0) return 0;
    const snapshot = this.snapshotFor(new Set(), new Set(due));
    const outcome = runExpiry(snapshot, due, this.nowNs);
    this.apply(outcome.effects);
    return outcome.effects.resolvedPending.length;
  }

  balances(id: string): Balances | undefined {
    const a = this.accounts.get(id);
    return a ? balancesOf(a) : undefined;
  }

  isClosed(id: string): boolean {
    return has(this.accounts.get(id)?.flags ?? 0, AccountFlag.closed);
  }

  /** Copies of what a batch names, plus the accounts of the pending transfers it names. */
  private snapshotFor(accountIds: Set<string>, transferIds: Set<string>): Snapshot {
    const snapshot: Snapshot = {
      accounts: new Map(),
      transfers: new Map(),
      pending: new Map(),
      failed: new Map(),
      lastTimestamp: this.lastTimestamp,
    };
    const ids = new Set(accountIds);
    for (const id of transferIds) {
      const t = this.transfers.get(id);
      const failure = this.failed.get(id);
      if (failure) snapshot.failed.set(id, failure);
      if (!t) continue;
      snapshot.transfers.set(id, { ...t });
      const state = this.pending.get(id);
      if (state) snapshot.pending.set(id, { ...state });
      if (has(t.flags, TransferFlag.pending)) {
        ids.add(t.debitAccountId);
        ids.add(t.creditAccountId);
      }
    }
    for (const id of ids) {
      const a = this.accounts.get(id);
      if (a) snapshot.accounts.set(id, { ...a });
    }
    return snapshot;
  }

  /** Persists effects the way a store would, refusing effects that contradict the stored state. */
  private apply(effects: BatchEffects): void {
    check(effects.lastTimestamp >= this.lastTimestamp, 'lastTimestamp went back');
    for (const a of effects.newAccounts) {
      check(!this.accounts.has(a.id), `new account ${a.id} already stored`);
      check(a.timestamp > this.lastTimestamp, `account ${a.id} timestamp not after the last one`);
      this.accounts.set(a.id, { ...a });
    }
    for (const a of effects.changedAccounts) {
      check(this.accounts.has(a.id), `changed account ${a.id} not stored`);
      this.accounts.set(a.id, { ...a });
    }
    for (const t of effects.newTransfers) {
      check(!this.transfers.has(t.id), `new transfer ${t.id} already stored`);
      check(t.timestamp > this.lastTimestamp, `transfer ${t.id} timestamp not after the last one`);
      this.transfers.set(t.id, { ...t });
    }
    for (const p of effects.newPending) {
      check(!this.pending.has(p.id), `pending state ${p.id} already stored`);
      this.pending.set(p.id, { ...p });
    }
    for (const p of effects.resolvedPending) {
      check(this.pending.get(p.id)?.status === 'pending', `pending ${p.id} resolved but not pending`);
      this.pending.set(p.id, { ...p });
    }
    for (const f of effects.newFailures) this.failed.set(f.id, f.result);
    this.lastTimestamp = effects.lastTimestamp;
  }

  /** Checks every invariant of the ledger spec against the whole state; throws on the first break. */
  assertInvariants(): void {
    const rebuilt = this.rebuildBalances();
    this.checkBalancesMatch(rebuilt);
    this.checkLedgerSums();
    this.checkLimits();
    this.checkPendingResolution();
    this.checkTimestamps();
  }

  /** Invariant 4: replays every transfer (and pending state) from zero balances. */
  private rebuildBalances(): Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }> {
    const sums = new Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>();
    for (const id of this.accounts.keys()) sums.set(id, { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n });
    for (const t of this.transfers.values()) {
      const dr = sums.get(t.debitAccountId);
      const cr = sums.get(t.creditAccountId);
      check(dr !== undefined && cr !== undefined, `transfer ${t.id} names an unknown account`);
      if (has(t.flags, TransferFlag.pending)) {
        if (this.pending.get(t.id)?.status !== 'pending') continue;
        dr.dp += t.amount;
        cr.cp += t.amount;
      } else if (!has(t.flags, TransferFlag.void_pending_transfer)) {
        dr.dpo += t.amount;
        cr.cpo += t.amount;
      }
    }
    return sums;
  }

  private checkBalancesMatch(rebuilt: Map<string, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>): void {
    for (const a of this.accounts.values()) {
      const r = rebuilt.get(a.id)!;
      const same = r.dp === a.debitsPending && r.dpo === a.debitsPosted && r.cp === a.creditsPending && r.cpo === a.creditsPosted;
      check(same, `balances of ${a.id} differ from the replay of its transfers`);
      for (const v of [a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted]) {
        check(v >= 0n && v <= MAX_AMOUNT_MINOR, `balance of ${a.id} out of range`);
      }
      check(a.debitsPending + a.debitsPosted <= MAX_AMOUNT_MINOR, `debits of ${a.id} overflow`);
      check(a.creditsPending + a.creditsPosted <= MAX_AMOUNT_MINOR, `credits of ${a.id} overflow`);
    }
  }

  /** Invariant 1: per ledger, debits equal credits, posted and pending. */
  private checkLedgerSums(): void {
    const perLedger = new Map<number, bigint[]>();
    for (const a of this.accounts.values()) {
      const s = perLedger.get(a.ledger) ?? [0n, 0n, 0n, 0n];
      s[0] += a.debitsPosted;
      s[1] += a.creditsPosted;
      s[2] += a.debitsPending;
      s[3] += a.creditsPending;
      perLedger.set(a.ledger, s);
    }
    for (const [ledger, [dpo, cpo, dp, cp]] of perLedger) {
      check(dpo === cpo, `ledger ${ledger}: posted debits ${dpo} != posted credits ${cpo}`);
      check(dp === cp, `ledger ${ledger}: pending debits ${dp} != pending credits ${cp}`);
    }
  }

  /** Invariant 2 and its mirror for credits_must_not_exceed_debits. */
  private checkLimits(): void {
    for (const a of this.accounts.values()) {
      if (has(a.flags, AccountFlag.debits_must_not_exceed_credits)) {
        check(a.debitsPending + a.debitsPosted <= a.creditsPosted, `${a.id} debits exceed credits`);
      }
      if (has(a.flags, AccountFlag.credits_must_not_exceed_debits)) {
        check(a.creditsPending + a.creditsPosted <= a.debitsPosted, `${a.id} credits exceed debits`);
      }
    }
  }

  /** Invariant 3: each pending transfer is resolved at most once, and its state agrees. */
  private checkPendingResolution(): void {
    const resolutions = new Map<string, Transfer[]>();
    for (const t of this.transfers.values()) {
      if (!has(t.flags, TransferFlag.post_pending_transfer | TransferFlag.void_pending_transfer)) continue;
      const p = this.transfers.get(t.pendingId);
      check(p !== undefined && has(p.flags, TransferFlag.pending), `${t.id} resolves a non-pending ${t.pendingId}`);
      check(t.timestamp > p.timestamp, `${t.id} resolves ${p.id} before it existed`);
      check(t.amount <= p.amount, `${t.id} moves more than ${p.id} reserved`);
      resolutions.set(t.pendingId, [...(resolutions.get(t.pendingId) ?? []), t]);
    }
    for (const t of this.transfers.values()) {
      if (!has(t.flags, TransferFlag.pending)) continue;
      const state = this.pending.get(t.id);
      check(state !== undefined, `pending transfer ${t.id} has no state`);
      const found = resolutions.get(t.id) ?? [];
      check(found.length <= 1, `pending transfer ${t.id} resolved ${found.length} times`);
      const expected = found.length === 0 ? ['pending', 'expired'] : [statusOf(found[0])];
      check(expected.includes(state.status), `pending transfer ${t.id} is ${state.status}`);
      if (state.status === 'expired') check(state.expiresAt !== 0n && state.expiresAt <= this.nowNs, `${t.id} expired early`);
    }
    check(
      [...this.pending.keys()].every((id) => this.transfers.has(id)),
      'pending state without a transfer',
    );
  }

  /** Invariant 5: timestamps are unique, strictly increasing in creation order, and not ahead of the last. */
  private checkTimestamps(): void {
    const stamps = [...this.accounts.values(), ...this.transfers.values()].map((o) => o.timestamp);
    check(new Set(stamps).size === stamps.length, 'two objects share a timestamp');
    const transfers = [...this.transfers.values()];
    for (let i = 1; i < transfers.length; i++) {
      check(transfers[i].timestamp > transfers[i - 1].timestamp, `transfer ${transfers[i].id} timestamp went back`);
    }
    check(
      stamps.every((s) => s <= this.lastTimestamp),
      'an object is newer than lastTimestamp',
    );
  }
}

function statusOf(t: Transfer): PendingState['status'] {
  return has(t.flags, TransferFlag.post_pending_transfer) ? 'posted' : 'voided';
}

function toAccountEvent(e: AccountSpec | AccountEvent): AccountEvent {
  return typeof e.flags === 'number' ? (e as AccountEvent) : accountEvent(e as AccountSpec);
}

function toTransferEvent(e: TransferSpec | TransferEvent): TransferEvent {
  return typeof e.flags === 'number' ? (e as TransferEvent) : transferEvent(e as TransferSpec);
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`ledger audit: ${message}`);
}
