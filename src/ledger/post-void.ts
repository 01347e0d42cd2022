// Second phase of a two-phase transfer: post (all or part) or void a pending transfer.
// Posts and voids compare what they name with the pending transfer; they never look accounts up.
import { AccountFlag as A, has, TransferFlag as F } from './flags.ts';
import { invariant } from './invariant.ts';
import type { TransferResult } from './results.ts';
import type { Transfer, TransferEvent } from './types.ts';
import type { WorkingSet } from './working-set.ts';

const NOT_WITH_POST_OR_VOID = F.pending | F.balancing_debit | F.balancing_credit | F.closing_debit | F.closing_credit;

export function postOrVoidPendingTransfer(work: WorkingSet, t: TransferEvent, nowNs: bigint): TransferResult {
  const posting = has(t.flags, F.post_pending_transfer);
  if (posting && has(t.flags, F.void_pending_transfer)) return 'flags_are_mutually_exclusive';
  if (has(t.flags, NOT_WITH_POST_OR_VOID)) return 'flags_are_mutually_exclusive';
  if (!t.pendingId) return 'pending_id_must_not_be_zero';
  if (t.pendingId === t.id) return 'pending_id_must_be_different';
  if (t.timeout !== 0) return 'timeout_reserved_for_pending_transfer';

  const p = work.transfer(t.pendingId);
  if (!p) return 'pending_transfer_not_found';
  if (!has(p.flags, F.pending)) return 'pending_transfer_not_pending';
  if (t.debitAccountId && t.debitAccountId !== p.debitAccountId) return 'pending_transfer_has_different_debit_account_id';
  if (t.creditAccountId && t.creditAccountId !== p.creditAccountId) return 'pending_transfer_has_different_credit_account_id';
  if (t.ledger !== 0 && t.ledger !== p.ledger) return 'pending_transfer_has_different_ledger';
  if (t.code !== 0 && t.code !== p.code) return 'pending_transfer_has_different_code';

  const amount = posting ? (t.amount ?? p.amount) : t.amount || p.amount;
  if (posting && t.amount === 0n) return 'amount_must_not_be_zero';
  if (amount > p.amount) return 'exceeds_pending_transfer_amount';
  if (!posting && amount < p.amount) return 'pending_transfer_has_different_amount';

  const state = work.pendingState(p.id);
  invariant(state !== undefined, `pending transfer ${p.id} has no pending state`);
  if (state.status === 'posted') return 'pending_transfer_already_posted';
  if (state.status === 'voided') return 'pending_transfer_already_voided';
  if (state.status === 'expired') return 'pending_transfer_expired';
  const timestamp = work.peekTimestamp(nowNs);
  if (state.expiresAt !== 0n && state.expiresAt <= timestamp) return 'pending_transfer_expired';

  const dr = work.account(p.debitAccountId);
  const cr = work.account(p.creditAccountId);
  invariant(dr !== undefined && cr !== undefined, `accounts of pending transfer ${p.id} are missing`);
  // The only movement a closed account allows is voiding a pending transfer (which may reopen it).
  if (has(dr.flags, A.closed) && posting) return 'debit_account_already_closed';
  if (has(cr.flags, A.closed) && posting) return 'credit_account_already_closed';

  const transfer: Transfer = {
    id: t.id,
    debitAccountId: p.debitAccountId,
    creditAccountId: p.creditAccountId,
    amount,
    pendingId: p.id,
    timeout: 0,
    ledger: p.ledger,
    code: p.code,
    flags: t.flags,
    userData: t.userData ?? p.userData,
    timestamp: work.nextTimestamp(nowNs),
  };
  work.addTransfer(transfer, null);
  releasePending(work, p, posting ? amount : 0n);
  work.resolvePending(state, posting ? 'posted' : 'voided');
  return 'ok';
}

/**
 * Takes a pending transfer off the pending balances, posting `postedAmount` of it. Releasing
 * (void or expiry) a closing transfer reopens the account it closed.
 */
export function releasePending(work: WorkingSet, p: Transfer, postedAmount: bigint): void {
  const reopen = postedAmount === 0n;
  const dr = work.account(p.debitAccountId);
  const cr = work.account(p.creditAccountId);
  invariant(dr !== undefined && cr !== undefined, `accounts of pending transfer ${p.id} are missing`);
  work.changeAccount(dr, (a) => {
    invariant(a.debitsPending >= p.amount, `debits_pending of ${a.id} would go negative`);
    a.debitsPending -= p.amount;
    a.debitsPosted += postedAmount;
    if (reopen && has(p.flags, F.closing_debit)) a.flags &= ~A.closed;
  });
  work.changeAccount(cr, (a) => {
    invariant(a.creditsPending >= p.amount, `credits_pending of ${a.id} would go negative`);
    a.creditsPending -= p.amount;
    a.creditsPosted += postedAmount;
    if (reopen && has(p.flags, F.closing_credit)) a.flags &= ~A.closed;
  });
}
