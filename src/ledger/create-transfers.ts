// create_transfers: every check runs before anything is written, in TigerBeetle's order, so the
// same input always answers the same result code.
import { MAX_AMOUNT_MINOR } from '../money/amount.ts';
import { applyChained } from './chains.ts';
import { AccountFlag as A, has, TransferFlag as F } from './flags.ts';
import { invariant } from './invariant.ts';
import { postOrVoidPendingTransfer } from './post-void.ts';
import { isTransient, type TransferResult } from './results.ts';
import { type Account, NANOS_PER_SECOND, type PendingState, type Transfer, type TransferEvent } from './types.ts';
import type { WorkingSet } from './working-set.ts';

export function createTransfers(work: WorkingSet, events: readonly TransferEvent[], nowNs: bigint): TransferResult[] {
  return applyChained(work, events, (event) => {
    const result = createTransfer(work, event, nowNs);
    if (isTransient(result)) work.recordFailure(event.id, result);
    return result;
  });
}

function createTransfer(work: WorkingSet, t: TransferEvent, nowNs: bigint): TransferResult {
  const existing = work.transfer(t.id);
  if (existing) return compareExisting(t, existing, work);
  if (work.failedResult(t.id)) return 'id_already_failed';
  if (has(t.flags, F.post_pending_transfer | F.void_pending_transfer)) return postOrVoidPendingTransfer(work, t, nowNs);

  if (!t.debitAccountId) return 'debit_account_id_must_not_be_zero';
  if (!t.creditAccountId) return 'credit_account_id_must_not_be_zero';
  if (t.debitAccountId === t.creditAccountId) return 'accounts_must_be_different';
  if (t.pendingId) return 'pending_id_must_be_zero';
  if (!has(t.flags, F.pending)) {
    if (t.timeout !== 0) return 'timeout_reserved_for_pending_transfer';
    if (has(t.flags, F.closing_debit | F.closing_credit)) return 'closing_transfer_must_be_pending';
  }
  if (t.ledger === 0) return 'ledger_must_not_be_zero';
  if (t.code === 0) return 'code_must_not_be_zero';
  const balancing = has(t.flags, F.balancing_debit | F.balancing_credit);
  if (!balancing && !t.amount) return 'amount_must_not_be_zero';

  const dr = work.account(t.debitAccountId);
  if (!dr) return 'debit_account_not_found';
  const cr = work.account(t.creditAccountId);
  if (!cr) return 'credit_account_not_found';
  if (dr.ledger !== cr.ledger) return 'accounts_must_have_the_same_ledger';
  if (t.ledger !== dr.ledger) return 'transfer_must_have_the_same_ledger_as_accounts';
  if (has(dr.flags, A.closed)) return 'debit_account_already_closed';
  if (has(cr.flags, A.closed)) return 'credit_account_already_closed';

  const amount = balancedAmount(t, dr, cr);
  const pending = has(t.flags, F.pending);
  const overflow = overflowOf(dr, cr, amount, pending);
  if (overflow) return overflow;
  const timestamp = work.peekTimestamp(nowNs);
  const expiresAt = pending && t.timeout > 0 ? timestamp + BigInt(t.timeout) * NANOS_PER_SECOND : 0n;
  if (expiresAt > MAX_AMOUNT_MINOR) return 'overflows_timeout';
  if (has(dr.flags, A.debits_must_not_exceed_credits) && dr.debitsPending + dr.debitsPosted + amount > dr.creditsPosted) return 'exceeds_credits';
  if (has(cr.flags, A.credits_must_not_exceed_debits) && cr.creditsPending + cr.creditsPosted + amount > cr.debitsPosted) return 'exceeds_debits';

  const transfer: Transfer = {
    id: t.id,
    debitAccountId: dr.id,
    creditAccountId: cr.id,
    amount,
    pendingId: '',
    timeout: t.timeout,
    ledger: t.ledger,
    code: t.code,
    flags: t.flags,
    userData: t.userData ?? '',
    timestamp: work.nextTimestamp(nowNs),
  };
  invariant(transfer.timestamp === timestamp, 'timestamp changed between check and apply');
  const state: PendingState | null = pending ? { id: t.id, status: 'pending', expiresAt } : null;
  work.addTransfer(transfer, state);
  if (pending) {
    work.changeAccount(dr, (a) => {
      a.debitsPending += amount;
      if (has(t.flags, F.closing_debit)) a.flags |= A.closed;
    });
    work.changeAccount(cr, (a) => {
      a.creditsPending += amount;
      if (has(t.flags, F.closing_credit)) a.flags |= A.closed;
    });
  } else {
    work.changeAccount(dr, (a) => {
      a.debitsPosted += amount;
    });
    work.changeAccount(cr, (a) => {
      a.creditsPosted += amount;
    });
  }
  return 'ok';
}

/** A balancing transfer moves at most what the debit (or credit) account has left. */
function balancedAmount(t: TransferEvent, dr: Account, cr: Account): bigint {
  let amount = t.amount ?? 0n;
  if (has(t.flags, F.balancing_debit)) {
    const available = dr.creditsPosted - dr.debitsPosted - dr.debitsPending;
    amount = min(amount, available > 0n ? available : 0n);
  }
  if (has(t.flags, F.balancing_credit)) {
    const available = cr.debitsPosted - cr.creditsPosted - cr.creditsPending;
    amount = min(amount, available > 0n ? available : 0n);
  }
  return amount;
}

function overflowOf(dr: Account, cr: Account, amount: bigint, pending: boolean): TransferResult | null {
  if (pending) {
    if (dr.debitsPending + amount > MAX_AMOUNT_MINOR) return 'overflows_debits_pending';
    if (cr.creditsPending + amount > MAX_AMOUNT_MINOR) return 'overflows_credits_pending';
  }
  if (dr.debitsPosted + amount > MAX_AMOUNT_MINOR) return 'overflows_debits_posted';
  if (cr.creditsPosted + amount > MAX_AMOUNT_MINOR) return 'overflows_credits_posted';
  if (dr.debitsPending + dr.debitsPosted + amount > MAX_AMOUNT_MINOR) return 'overflows_debits';
  if (cr.creditsPending + cr.creditsPosted + amount > MAX_AMOUNT_MINOR) return 'overflows_credits';
  return null;
}

/**
 * A replay reports its first difference in this order: flags, pending_id, timeout, debit account,
 * credit account, amount, user_data, ledger, code. Posts and voids may omit what they inherited:
 * an omitted user_data or post amount means the pending transfer's, so it is compared with that.
 */
function compareExisting(t: TransferEvent, e: Transfer, work: WorkingSet): TransferResult {
  const inherits = has(e.flags, F.post_pending_transfer | F.void_pending_transfer);
  const p = inherits ? work.transfer(e.pendingId) : undefined;
  if (t.flags !== e.flags) return 'exists_with_different_flags';
  if ((t.pendingId ?? '') !== e.pendingId) return 'exists_with_different_pending_id';
  if (t.timeout !== e.timeout) return 'exists_with_different_timeout';
  if (differs(t.debitAccountId, e.debitAccountId, inherits, '')) return 'exists_with_different_debit_account_id';
  if (differs(t.creditAccountId, e.creditAccountId, inherits, '')) return 'exists_with_different_credit_account_id';
  if (amountDiffers(t, e, p)) return 'exists_with_different_amount';
  if ((t.userData ?? p?.userData ?? '') !== e.userData) return 'exists_with_different_user_data';
  if (differs(t.ledger || null, e.ledger, inherits, 0)) return 'exists_with_different_ledger';
  if (differs(t.code || null, e.code, inherits, 0)) return 'exists_with_different_code';
  return 'exists';
}

function differs<V>(asked: V | null, stored: V, inherits: boolean, zero: V): boolean {
  if (asked === null) return inherits ? false : stored !== zero;
  return asked !== stored;
}

function amountDiffers(t: TransferEvent, e: Transfer, p: Transfer | undefined): boolean {
  if (has(e.flags, F.balancing_debit | F.balancing_credit)) return (t.amount ?? 0n) < e.amount;
  if (has(e.flags, F.void_pending_transfer)) return t.amount !== null && t.amount !== 0n && t.amount !== e.amount;
  if (has(e.flags, F.post_pending_transfer) && t.amount === null) return p === undefined || e.amount !== p.amount;
  return (t.amount ?? 0n) !== e.amount;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
