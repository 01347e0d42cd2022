// Result codes, one per event. They are data, not exceptions: a batch always answers every event.

export const ACCOUNT_RESULTS = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'flags_are_mutually_exclusive',
  'ledger_must_not_be_zero',
  'code_must_not_be_zero',
  'exists_with_different_flags',
  'exists_with_different_user_data',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists',
] as const;

export const TRANSFER_RESULTS = [
  'ok',
  'linked_event_failed',
  'linked_event_chain_open',
  'exists_with_different_flags',
  'exists_with_different_pending_id',
  'exists_with_different_timeout',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_user_data',
  'exists_with_different_ledger',
  'exists_with_different_code',
  'exists',
  'id_already_failed',
  'flags_are_mutually_exclusive',
  'debit_account_id_must_not_be_zero',
  'credit_account_id_must_not_be_zero',
  'accounts_must_be_different',
  'pending_id_must_be_zero',
  'pending_id_must_not_be_zero',
  'pending_id_must_be_different',
  'timeout_reserved_for_pending_transfer',
  'closing_transfer_must_be_pending',
  'ledger_must_not_be_zero',
  'code_must_not_be_zero',
  'amount_must_not_be_zero',
  'debit_account_not_found',
  'credit_account_not_found',
  'accounts_must_have_the_same_ledger',
  'transfer_must_have_the_same_ledger_as_accounts',
  'pending_transfer_not_found',
  'pending_transfer_not_pending',
  'pending_transfer_has_different_debit_account_id',
  'pending_transfer_has_different_credit_account_id',
  'pending_transfer_has_different_ledger',
  'pending_transfer_has_different_code',
  'exceeds_pending_transfer_amount',
  'pending_transfer_has_different_amount',
  'pending_transfer_already_posted',
  'pending_transfer_already_voided',
  'pending_transfer_expired',
  'debit_account_already_closed',
  'credit_account_already_closed',
  'overflows_debits_pending',
  'overflows_credits_pending',
  'overflows_debits_posted',
  'overflows_credits_posted',
  'overflows_debits',
  'overflows_credits',
  'overflows_timeout',
  'exceeds_credits',
  'exceeds_debits',
] as const;

export type AccountResult = (typeof ACCOUNT_RESULTS)[number];
export type TransferResult = (typeof TRANSFER_RESULTS)[number];

/**
 * Failures that depended on the ledger's state at the time. Their ids stay failed
 * (`id_already_failed`), so a retry can never succeed later under different conditions.
 */
const TRANSIENT: ReadonlySet<TransferResult> = new Set<TransferResult>([
  'debit_account_not_found',
  'credit_account_not_found',
  'pending_transfer_not_found',
  'exceeds_credits',
  'exceeds_debits',
  'debit_account_already_closed',
  'credit_account_already_closed',
]);

export function isTransient(result: TransferResult): boolean {
  return TRANSIENT.has(result);
}
