// The auditor: rebuilds every balance from the transfers alone and checks the ledger's
// invariants (spec: debits equal credits, limits hold, each pending resolved once, balances equal
// their transfers, timestamps increase). Pure: the caller streams accounts and transfers in.
import { AccountFlag as A, has, TransferFlag as F } from './flags.ts';
import type { Account, PendingStatus, Transfer } from './types.ts';

interface Rebuilt {
  readonly stored: Account;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
}

export interface AuditReport {
  readonly accounts: number;
  readonly transfers: number;
  readonly problems: string[];
}

const MAX_PROBLEMS = 100;

export class Auditor {
  private readonly accounts = new Map<string, Rebuilt>();
  private readonly pendingStatus = new Map<string, PendingStatus>();
  private readonly resolutions = new Map<string, string>();
  private readonly problems: string[] = [];
  private transfers = 0;
  private lastTimestamp = 0n;

  addAccounts(accounts: readonly Account[]): void {
    for (const a of accounts) this.accounts.set(a.id, { stored: a, debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n });
  }

  addPendingStates(states: readonly { id: string; status: string }[]): void {
    for (const s of states) this.pendingStatus.set(s.id, s.status as PendingStatus);
  }

  /** Transfers must arrive in timestamp order, after every account and pending state. */
  addTransfers(transfers: readonly Transfer[]): void {
    for (const t of transfers) this.addTransfer(t);
  }

  private addTransfer(t: Transfer): void {
    this.transfers++;
    if (t.timestamp <= this.lastTimestamp) this.problem(`transfer ${t.id}: timestamp ${t.timestamp} does not increase`);
    this.lastTimestamp = t.timestamp;
    const dr = this.accounts.get(t.debitAccountId);
    const cr = this.accounts.get(t.creditAccountId);
    if (!dr || !cr) {
      this.problem(`transfer ${t.id}: names a missing account`);
      return;
    }
    if (dr.stored.ledger !== t.ledger || cr.stored.ledger !== t.ledger) this.problem(`transfer ${t.id}: ledger differs from its accounts`);
    if (has(t.flags, F.post_pending_transfer | F.void_pending_transfer)) {
      this.addResolution(t, dr, cr);
      return;
    }
    if (!has(t.flags, F.pending)) {
      dr.debitsPosted += t.amount;
      cr.creditsPosted += t.amount;
      return;
    }
    const status = this.pendingStatus.get(t.id);
    if (!status) this.problem(`pending transfer ${t.id}: has no pending state`);
    else if (status === 'pending') {
      dr.debitsPending += t.amount;
      cr.creditsPending += t.amount;
    }
  }

  private addResolution(t: Transfer, dr: Rebuilt, cr: Rebuilt): void {
    const earlier = this.resolutions.get(t.pendingId);
    if (earlier) this.problem(`pending transfer ${t.pendingId}: resolved twice (${earlier}, ${t.id})`);
    this.resolutions.set(t.pendingId, t.id);
    const status = this.pendingStatus.get(t.pendingId);
    const expected = has(t.flags, F.post_pending_transfer) ? 'posted' : 'voided';
    if (status !== expected) this.problem(`pending transfer ${t.pendingId}: ${t.id} ${expected} it but its state is ${status}`);
    if (expected === 'posted') {
      dr.debitsPosted += t.amount;
      cr.creditsPosted += t.amount;
    }
  }

  report(): AuditReport {
    const sums = new Map<number, { dp: bigint; dq: bigint; cp: bigint; cq: bigint }>();
    for (const r of this.accounts.values()) {
      this.checkAccount(r);
      const s = sums.get(r.stored.ledger) ?? { dp: 0n, dq: 0n, cp: 0n, cq: 0n };
      s.dp += r.stored.debitsPosted;
      s.dq += r.stored.debitsPending;
      s.cp += r.stored.creditsPosted;
      s.cq += r.stored.creditsPending;
      sums.set(r.stored.ledger, s);
    }
    for (const [ledger, s] of sums) {
      if (s.dp !== s.cp) this.problem(`ledger ${ledger}: debits posted ${s.dp} != credits posted ${s.cp}`);
      if (s.dq !== s.cq) this.problem(`ledger ${ledger}: debits pending ${s.dq} != credits pending ${s.cq}`);
    }
    for (const [id, status] of this.pendingStatus) {
      const resolvedBy = this.resolutions.get(id);
      if ((status === 'posted' || status === 'voided') && !resolvedBy) this.problem(`pending transfer ${id}: ${status} by no transfer`);
    }
    return { accounts: this.accounts.size, transfers: this.transfers, problems: this.problems };
  }

  private checkAccount(r: Rebuilt): void {
    const a = r.stored;
    for (const field of ['debitsPending', 'debitsPosted', 'creditsPending', 'creditsPosted'] as const) {
      if (a[field] !== r[field]) this.problem(`account ${a.id}: ${field} is ${a[field]} but its transfers add up to ${r[field]}`);
    }
    if (has(a.flags, A.debits_must_not_exceed_credits) && a.debitsPending + a.debitsPosted > a.creditsPosted) {
      this.problem(`account ${a.id}: debits exceed credits`);
    }
    if (has(a.flags, A.credits_must_not_exceed_debits) && a.creditsPending + a.creditsPosted > a.debitsPosted) {
      this.problem(`account ${a.id}: credits exceed debits`);
    }
  }

  private problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
    else if (this.problems.length === MAX_PROBLEMS) this.problems.push('... (further problems not listed)');
  }
}
