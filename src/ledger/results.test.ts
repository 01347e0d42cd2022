// Table-driven result codes: every reachable account and transfer result gets a row, and events with
// several errors must answer the first one in the documented order.
import { describe, expect, it } from 'vitest';
import { MAX_AMOUNT_MINOR } from '../money/amount.ts';
import { ACCOUNT_RESULTS, type AccountResult, TRANSFER_RESULTS, type TransferResult } from './results.ts';
import { expectAllOk, fixture } from './test-support/fixture.ts';
import type { AccountSpec, MemoryLedger, TransferSpec } from './test-support/memory-ledger.ts';
import { START_NS } from './test-support/memory-ledger.ts';

const MAX = MAX_AMOUNT_MINOR;

interface TransferRow {
  readonly name: string;
  readonly setup?: TransferSpec[];
  readonly events: TransferSpec[];
  readonly expect: TransferResult[];
  readonly startNs?: bigint;
  /** Moves the clock this far before the events, without running the expiry sweep. */
  readonly clockSeconds?: number;
}

interface AccountRow {
  readonly name: string;
  readonly events: AccountSpec[];
  readonly expect: AccountResult[];
}

const overflowAccounts: AccountSpec[] = [{ id: 'O1' }, { id: 'O2' }, { id: 'O3' }];

const TRANSFER_ROWS: TransferRow[] = [
  { name: 'a plain transfer', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1 }], expect: ['ok'] },
  { name: 'debit account id omitted', events: [{ id: 'T', cr: 'B', amount: 1 }], expect: ['debit_account_id_must_not_be_zero'] },
  { name: 'credit account id omitted', events: [{ id: 'T', dr: 'A', amount: 1 }], expect: ['credit_account_id_must_not_be_zero'] },
  { name: 'same account twice', events: [{ id: 'T', dr: 'A', cr: 'A', amount: 1 }], expect: ['accounts_must_be_different'] },
  { name: 'pending_id on a plain transfer', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1, pendingId: 'P1' }], expect: ['pending_id_must_be_zero'] },
  { name: 'timeout on a plain transfer', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1, timeout: 5 }], expect: ['timeout_reserved_for_pending_transfer'] },
  {
    name: 'closing without pending',
    events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1, flags: ['closing_debit'] }],
    expect: ['closing_transfer_must_be_pending'],
  },
  { name: 'ledger 0', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1, ledger: 0 }], expect: ['ledger_must_not_be_zero'] },
  { name: 'code 0', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 1, code: 0 }], expect: ['code_must_not_be_zero'] },
  { name: 'amount 0', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 0 }], expect: ['amount_must_not_be_zero'] },
  { name: 'amount omitted', events: [{ id: 'T', dr: 'A', cr: 'B' }], expect: ['amount_must_not_be_zero'] },
  { name: 'pending amount 0', events: [{ id: 'T', dr: 'A', cr: 'B', amount: 0, flags: ['pending'] }], expect: ['amount_must_not_be_zero'] },
  { name: 'missing debit account', events: [{ id: 'T', dr: 'Z', cr: 'B', amount: 1 }], expect: ['debit_account_not_found'] },
  { name: 'missing credit account', events: [{ id: 'T', dr: 'A', cr: 'Z', amount: 1 }], expect: ['credit_account_not_found'] },
  { name: 'accounts on two ledgers', events: [{ id: 'T', dr: 'A', cr: 'X', amount: 1 }], expect: ['accounts_must_have_the_same_ledger'] },
  {
    name: 'transfer ledger differs',
    events: [{ id: 'T', dr: 'X', cr: 'Y', amount: 1, ledger: 1 }],
    expect: ['transfer_must_have_the_same_ledger_as_accounts'],
  },
  { name: 'debit account closed', events: [{ id: 'T', dr: 'Q', cr: 'B', amount: 1 }], expect: ['debit_account_already_closed'] },
  { name: 'credit account closed', events: [{ id: 'T', dr: 'A', cr: 'Q', amount: 1 }], expect: ['credit_account_already_closed'] },
  { name: 'debits would exceed credits', events: [{ id: 'T', dr: 'D', cr: 'B', amount: 51 }], expect: ['exceeds_credits'] },
  { name: 'debits may reach credits', events: [{ id: 'T', dr: 'D', cr: 'B', amount: 50 }], expect: ['ok'] },
  {
    name: 'pending debits count against the limit',
    events: [
      { id: 'T', dr: 'D', cr: 'B', amount: 30, flags: ['pending'] },
      { id: 'U', dr: 'D', cr: 'B', amount: 21 },
    ],
    expect: ['ok', 'exceeds_credits'],
  },
  { name: 'credits would exceed debits', events: [{ id: 'T', dr: 'A', cr: 'C', amount: 51 }], expect: ['exceeds_debits'] },
  { name: 'credits may reach debits', events: [{ id: 'T', dr: 'A', cr: 'C', amount: 50 }], expect: ['ok'] },
  {
    name: 'debits_pending overflow',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX, flags: ['pending'] }],
    events: [{ id: 'T', dr: 'O1', cr: 'O3', amount: 1, flags: ['pending'] }],
    expect: ['overflows_debits_pending'],
  },
  {
    name: 'credits_pending overflow',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX, flags: ['pending'] }],
    events: [{ id: 'T', dr: 'O3', cr: 'O2', amount: 1, flags: ['pending'] }],
    expect: ['overflows_credits_pending'],
  },
  {
    name: 'debits_posted overflow',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX }],
    events: [{ id: 'T', dr: 'O1', cr: 'O3', amount: 1 }],
    expect: ['overflows_debits_posted'],
  },
  {
    name: 'credits_posted overflow',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX }],
    events: [{ id: 'T', dr: 'O3', cr: 'O2', amount: 1 }],
    expect: ['overflows_credits_posted'],
  },
  {
    name: 'a pending transfer also checks posted debits (reference order)',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX }],
    events: [{ id: 'T', dr: 'O1', cr: 'O3', amount: 1, flags: ['pending'] }],
    expect: ['overflows_debits_posted'],
  },
  {
    name: 'debits (pending + posted) overflow',
    setup: [{ id: 'S', dr: 'O1', cr: 'O2', amount: MAX - 1n, flags: ['pending'] }],
    events: [
      { id: 'T', dr: 'O1', cr: 'O3', amount: 1 },
      { id: 'U', dr: 'O1', cr: 'O3', amount: 1 },
    ],
    expect: ['ok', 'overflows_debits'],
  },
  {
    name: 'credits (pending + posted) overflow',
    setup: [{ id: 'S', dr: 'O2', cr: 'O1', amount: MAX - 1n, flags: ['pending'] }],
    events: [{ id: 'T', dr: 'O3', cr: 'O1', amount: 2 }],
    expect: ['overflows_credits'],
  },
  {
    name: 'timeout overflows the clock',
    startNs: MAX - 100n * 1_000_000_000n,
    events: [
      { id: 'T', dr: 'A', cr: 'B', amount: 1, flags: ['pending'], timeout: 99 },
      { id: 'U', dr: 'A', cr: 'B', amount: 1, flags: ['pending'], timeout: 101 },
    ],
    expect: ['ok', 'overflows_timeout'],
  },
  // Precedence: each event carries every error from its code onwards.
  {
    name: 'precedence: new transfer validation order',
    events: [
      { id: 'T1', amount: 0, ledger: 0, code: 0, timeout: 5, pendingId: 'P1' },
      { id: 'T2', dr: 'A', amount: 0, ledger: 0, code: 0, timeout: 5, pendingId: 'P1' },
      { id: 'T3', dr: 'A', cr: 'A', amount: 0, ledger: 0, code: 0, timeout: 5, pendingId: 'P1' },
      { id: 'T4', dr: 'Z', cr: 'A', amount: 0, ledger: 0, code: 0, timeout: 5, pendingId: 'P1' },
      { id: 'T5', dr: 'Z', cr: 'A', amount: 0, ledger: 0, code: 0, timeout: 5, flags: ['closing_debit'] },
      { id: 'T6', dr: 'Z', cr: 'A', amount: 0, ledger: 0, code: 0, flags: ['closing_debit'] },
      { id: 'T7', dr: 'Z', cr: 'A', amount: 0, ledger: 0, code: 0 },
      { id: 'T8', dr: 'Z', cr: 'A', amount: 0, ledger: 9, code: 0 },
      { id: 'T9', dr: 'Z', cr: 'Y', amount: 0, ledger: 9 },
      { id: 'T10', dr: 'Z', cr: 'Y', amount: 1, ledger: 9 },
      { id: 'T11', dr: 'A', cr: 'Z', amount: 1, ledger: 9 },
      { id: 'T12', dr: 'A', cr: 'X', amount: 1, ledger: 9 },
      { id: 'T13', dr: 'Q', cr: 'B', amount: 1, ledger: 9 },
      { id: 'T14', dr: 'Q', cr: 'Q', amount: 1 },
      { id: 'T15', dr: 'Q', cr: 'C', amount: MAX },
      { id: 'T16', dr: 'D', cr: 'A', amount: MAX },
      { id: 'T17', dr: 'D', cr: 'C', amount: 51 },
    ],
    expect: [
      'debit_account_id_must_not_be_zero',
      'credit_account_id_must_not_be_zero',
      'accounts_must_be_different',
      'pending_id_must_be_zero',
      'timeout_reserved_for_pending_transfer',
      'closing_transfer_must_be_pending',
      'ledger_must_not_be_zero',
      'code_must_not_be_zero',
      'amount_must_not_be_zero',
      'debit_account_not_found',
      'credit_account_not_found',
      'accounts_must_have_the_same_ledger',
      'transfer_must_have_the_same_ledger_as_accounts',
      'accounts_must_be_different',
      'debit_account_already_closed',
      'overflows_credits_posted',
      'exceeds_credits',
    ],
  },
  // Two-phase.
  { name: 'post in full (amount omitted)', events: [{ id: 'T', pendingId: 'P1', flags: ['post_pending_transfer'] }], expect: ['ok'] },
  { name: 'partial post', events: [{ id: 'T', pendingId: 'P1', amount: 4, flags: ['post_pending_transfer'] }], expect: ['ok'] },
  { name: 'post amount 0', events: [{ id: 'T', pendingId: 'P1', amount: 0, flags: ['post_pending_transfer'] }], expect: ['amount_must_not_be_zero'] },
  { name: 'void (amount omitted)', events: [{ id: 'T', pendingId: 'P1', flags: ['void_pending_transfer'] }], expect: ['ok'] },
  { name: 'void amount 0', events: [{ id: 'T', pendingId: 'P1', amount: 0, flags: ['void_pending_transfer'] }], expect: ['ok'] },
  { name: 'void the exact amount', events: [{ id: 'T', pendingId: 'P1', amount: 10, flags: ['void_pending_transfer'] }], expect: ['ok'] },
  { name: 'void less', events: [{ id: 'T', pendingId: 'P1', amount: 9, flags: ['void_pending_transfer'] }], expect: ['pending_transfer_has_different_amount'] },
  { name: 'void more', events: [{ id: 'T', pendingId: 'P1', amount: 11, flags: ['void_pending_transfer'] }], expect: ['exceeds_pending_transfer_amount'] },
  { name: 'post more', events: [{ id: 'T', pendingId: 'P1', amount: 11, flags: ['post_pending_transfer'] }], expect: ['exceeds_pending_transfer_amount'] },
  {
    name: 'post+void',
    events: [{ id: 'T', pendingId: 'P1', flags: ['post_pending_transfer', 'void_pending_transfer'] }],
    expect: ['flags_are_mutually_exclusive'],
  },
  { name: 'post+pending', events: [{ id: 'T', pendingId: 'P1', flags: ['post_pending_transfer', 'pending'] }], expect: ['flags_are_mutually_exclusive'] },
  {
    name: 'void+balancing',
    events: [{ id: 'T', pendingId: 'P1', flags: ['void_pending_transfer', 'balancing_credit'] }],
    expect: ['flags_are_mutually_exclusive'],
  },
  { name: 'post+closing', events: [{ id: 'T', pendingId: 'P1', flags: ['post_pending_transfer', 'closing_debit'] }], expect: ['flags_are_mutually_exclusive'] },
  { name: 'post without pending_id', events: [{ id: 'T', flags: ['post_pending_transfer'] }], expect: ['pending_id_must_not_be_zero'] },
  { name: 'post of itself', events: [{ id: 'T', pendingId: 'T', flags: ['post_pending_transfer'] }], expect: ['pending_id_must_be_different'] },
  {
    name: 'post with a timeout',
    events: [{ id: 'T', pendingId: 'P1', timeout: 1, flags: ['post_pending_transfer'] }],
    expect: ['timeout_reserved_for_pending_transfer'],
  },
  {
    name: 'post of a missing pending transfer',
    events: [{ id: 'T', pendingId: 'NO', dr: 'Z', cr: 'Z2', flags: ['post_pending_transfer'] }],
    expect: ['pending_transfer_not_found'],
  },
  { name: 'post of a plain transfer', events: [{ id: 'T', pendingId: 'PT', flags: ['post_pending_transfer'] }], expect: ['pending_transfer_not_pending'] },
  {
    name: 'post naming another debit account',
    events: [{ id: 'T', pendingId: 'P1', dr: 'B', flags: ['post_pending_transfer'] }],
    expect: ['pending_transfer_has_different_debit_account_id'],
  },
  {
    name: 'post naming another credit account',
    events: [{ id: 'T', pendingId: 'P1', cr: 'A', flags: ['post_pending_transfer'] }],
    expect: ['pending_transfer_has_different_credit_account_id'],
  },
  {
    name: 'post naming another ledger',
    events: [{ id: 'T', pendingId: 'P1', ledger: 2, flags: ['post_pending_transfer'] }],
    expect: ['pending_transfer_has_different_ledger'],
  },
  {
    name: 'post naming another code',
    events: [{ id: 'T', pendingId: 'P1', code: 2, flags: ['post_pending_transfer'] }],
    expect: ['pending_transfer_has_different_code'],
  },
  {
    name: 'post naming the same fields',
    events: [{ id: 'T', pendingId: 'P1', dr: 'A', cr: 'B', ledger: 1, code: 1, amount: 10, flags: ['post_pending_transfer'] }],
    expect: ['ok'],
  },
  {
    name: 'already posted, already voided',
    events: [
      { id: 'T1', pendingId: 'P1', flags: ['post_pending_transfer'] },
      { id: 'T2', pendingId: 'P1', flags: ['void_pending_transfer'] },
      { id: 'T3', pendingId: 'P2', flags: ['void_pending_transfer'] },
      { id: 'T4', pendingId: 'P2', amount: 1, flags: ['post_pending_transfer'] },
      { id: 'T5', pendingId: 'P2', amount: 11, flags: ['post_pending_transfer'] },
    ],
    expect: ['ok', 'pending_transfer_already_posted', 'ok', 'pending_transfer_already_voided', 'exceeds_pending_transfer_amount'],
  },
  {
    name: 'precedence: post/void validation order',
    events: [
      { id: 'T1', pendingId: 'T1', timeout: 5, amount: 99, dr: 'Z', ledger: 9, flags: ['post_pending_transfer', 'void_pending_transfer'] },
      { id: 'T2', pendingId: 'T2', timeout: 5, amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer', 'pending'] },
      { id: 'T3', timeout: 5, amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer'] },
      { id: 'T4', pendingId: 'T4', timeout: 5, amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer'] },
      { id: 'T5', pendingId: 'NO', timeout: 5, amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer'] },
      { id: 'T6', pendingId: 'NO', amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer'] },
      { id: 'T7', pendingId: 'PT', amount: 99, dr: 'Z', ledger: 9, flags: ['void_pending_transfer'] },
      { id: 'T8', pendingId: 'P1', amount: 99, dr: 'Z', cr: 'Z', ledger: 9, code: 9, flags: ['void_pending_transfer'] },
      { id: 'T9', pendingId: 'P1', amount: 99, cr: 'Z', ledger: 9, code: 9, flags: ['void_pending_transfer'] },
      { id: 'T10', pendingId: 'P1', amount: 99, ledger: 9, code: 9, flags: ['void_pending_transfer'] },
      { id: 'T11', pendingId: 'P1', amount: 99, code: 9, flags: ['void_pending_transfer'] },
      { id: 'T12', pendingId: 'P1', amount: 99, flags: ['void_pending_transfer'] },
      { id: 'T13', pendingId: 'P1', amount: 3, flags: ['void_pending_transfer'] },
    ],
    expect: [
      'flags_are_mutually_exclusive',
      'flags_are_mutually_exclusive',
      'pending_id_must_not_be_zero',
      'pending_id_must_be_different',
      'timeout_reserved_for_pending_transfer',
      'pending_transfer_not_found',
      'pending_transfer_not_pending',
      'pending_transfer_has_different_debit_account_id',
      'pending_transfer_has_different_credit_account_id',
      'pending_transfer_has_different_ledger',
      'pending_transfer_has_different_code',
      'exceeds_pending_transfer_amount',
      'pending_transfer_has_different_amount',
    ],
  },
  {
    name: 'post or void after the deadline, before the sweep',
    clockSeconds: 61,
    events: [
      { id: 'T1', pendingId: 'P2', flags: ['post_pending_transfer'] },
      { id: 'T2', pendingId: 'R', flags: ['void_pending_transfer'] },
      { id: 'T3', pendingId: 'P1', flags: ['void_pending_transfer'] },
      { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
    ],
    expect: ['pending_transfer_expired', 'pending_transfer_expired', 'ok', 'ok'],
  },
  // Balancing.
  { name: 'balancing debit limited by the balance', events: [{ id: 'T', dr: 'D', cr: 'B', amount: 80, flags: ['balancing_debit'] }], expect: ['ok'] },
  {
    name: 'balancing with nothing left moves 0 and is ok',
    setup: [{ id: 'S', dr: 'D', cr: 'B', amount: 50 }],
    events: [{ id: 'T', dr: 'D', cr: 'B', amount: 5, flags: ['balancing_debit'] }],
    expect: ['ok'],
  },
  { name: 'balancing with amount omitted moves 0', events: [{ id: 'T', dr: 'D', cr: 'B', flags: ['balancing_debit'] }], expect: ['ok'] },
  { name: 'balancing credit limited by the balance', events: [{ id: 'T', dr: 'A', cr: 'C', amount: 80, flags: ['balancing_credit'] }], expect: ['ok'] },
  { name: 'balancing debit between two limited accounts', events: [{ id: 'T', dr: 'D', cr: 'C', amount: 80, flags: ['balancing_debit'] }], expect: ['ok'] },
  {
    name: 'balancing debit, the credit side still refuses',
    setup: [{ id: 'S', dr: 'A', cr: 'C', amount: 20 }],
    events: [{ id: 'T', dr: 'D', cr: 'C', amount: 80, flags: ['balancing_debit'] }],
    expect: ['exceeds_debits'],
  },
  {
    name: 'balancing credit, the debit side still refuses',
    setup: [{ id: 'S', dr: 'D', cr: 'B', amount: 10 }],
    events: [{ id: 'T', dr: 'D', cr: 'C', amount: 80, flags: ['balancing_credit'] }],
    expect: ['exceeds_credits'],
  },
  {
    name: 'pending balancing transfer reserves what is left',
    setup: [{ id: 'S', dr: 'D', cr: 'B', amount: 45, flags: ['pending'] }],
    events: [{ id: 'T', dr: 'D', cr: 'B', amount: 80, flags: ['pending', 'balancing_debit'] }],
    expect: ['ok'],
  },
  // Chains and failed ids (their effects are checked in ledger.test.ts).
  {
    name: 'a failing chain member fails the chain',
    events: [
      { id: 'T1', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
      { id: 'T2', dr: 'D', cr: 'B', amount: 99, flags: ['linked'] },
      { id: 'T3', dr: 'A', cr: 'B', amount: 1 },
      { id: 'T4', dr: 'A', cr: 'B', amount: 1 },
    ],
    expect: ['linked_event_failed', 'exceeds_credits', 'linked_event_failed', 'ok'],
  },
  {
    name: 'a chain open at the end of the batch',
    events: [
      { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
      { id: 'T2', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
    ],
    expect: ['ok', 'linked_event_chain_open'],
  },
  {
    name: 'exists inside a chain fails it',
    events: [
      { id: 'T1', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
      { id: 'PT', dr: 'A', cr: 'B', amount: 5 },
    ],
    expect: ['linked_event_failed', 'exists'],
  },
  {
    name: 'a repeated id inside one chain is exists',
    events: [
      { id: 'T1', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
      { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
    ],
    expect: ['linked_event_failed', 'exists_with_different_flags'],
  },
  {
    name: 'a failed id stays failed',
    events: [
      { id: 'T1', dr: 'D', cr: 'B', amount: 51 },
      { id: 'T1', dr: 'D', cr: 'B', amount: 1 },
    ],
    expect: ['exceeds_credits', 'id_already_failed'],
  },
];

/** Replays of R (pending A->B 7, timeout 30, user_data 'u', ledger 1, code 1) differing from field k on. */
function replayPrecedenceRows(): TransferRow {
  const same: TransferSpec = { id: 'R', flags: ['pending'], pendingId: null, timeout: 30, dr: 'A', cr: 'B', amount: 7, userData: 'u', ledger: 1, code: 1 };
  const other: Partial<TransferSpec> = {
    flags: ['pending', 'balancing_debit'],
    pendingId: 'P1',
    timeout: 31,
    dr: 'B',
    cr: 'A',
    amount: 8,
    userData: 'v',
    ledger: 2,
    code: 2,
  };
  const order = ['flags', 'pendingId', 'timeout', 'dr', 'cr', 'amount', 'userData', 'ledger', 'code'] as const;
  const codes: TransferResult[] = [
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
  ];
  const events = codes.map((_, k) => {
    const e: Record<string, unknown> = { ...same };
    for (const field of order.slice(k)) e[field] = other[field];
    return e as unknown as TransferSpec;
  });
  return { name: 'precedence: replay differences in the documented order', events, expect: codes };
}

TRANSFER_ROWS.push(replayPrecedenceRows());
TRANSFER_ROWS.push(
  {
    name: 'replay with user_data omitted differs from u',
    events: [{ id: 'R', dr: 'A', cr: 'B', amount: 7, flags: ['pending'], timeout: 30 }],
    expect: ['exists_with_different_user_data'],
  },
  {
    name: 'replay with ledger 0',
    events: [{ id: 'R', dr: 'A', cr: 'B', amount: 7, flags: ['pending'], timeout: 30, userData: 'u', ledger: 0 }],
    expect: ['exists_with_different_ledger'],
  },
  {
    name: 'replay beats every validation error',
    events: [{ id: 'PT', dr: 'A', cr: 'A', amount: 0, ledger: 0 }],
    expect: ['exists_with_different_credit_account_id'],
  },
  { name: 'an exact replay', events: [{ id: 'PT', dr: 'A', cr: 'B', amount: 5 }], expect: ['exists'] },
  {
    name: 'post replays inherit omitted fields from the pending transfer',
    setup: [{ id: 'S', pendingId: 'R', amount: 3, userData: 'w', flags: ['post_pending_transfer'] }],
    events: [
      { id: 'S', pendingId: 'R', amount: 3, userData: 'w', flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 3, userData: 'w', dr: 'A', cr: 'B', ledger: 1, code: 1, flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 3, flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', userData: 'w', flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 3, userData: 'w', dr: 'B', flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 3, userData: 'w', code: 2, flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'P1', amount: 3, userData: 'w', flags: ['post_pending_transfer'] },
    ],
    expect: [
      'exists',
      'exists',
      'exists_with_different_user_data',
      'exists_with_different_amount',
      'exists_with_different_debit_account_id',
      'exists_with_different_code',
      'exists_with_different_pending_id',
    ],
  },
  {
    name: 'full-post replays: omitted amount means the pending amount',
    setup: [{ id: 'S', pendingId: 'R', flags: ['post_pending_transfer'] }],
    events: [
      { id: 'S', pendingId: 'R', flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 7, flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 6, flags: ['post_pending_transfer'] },
      { id: 'S', pendingId: 'R', userData: 'u', flags: ['post_pending_transfer'] },
    ],
    expect: ['exists', 'exists', 'exists_with_different_amount', 'exists'],
  },
  {
    name: 'void replays: amount 0, omitted or exact',
    setup: [{ id: 'S', pendingId: 'R', flags: ['void_pending_transfer'] }],
    events: [
      { id: 'S', pendingId: 'R', flags: ['void_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 0, flags: ['void_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 7, flags: ['void_pending_transfer'] },
      { id: 'S', pendingId: 'R', amount: 6, flags: ['void_pending_transfer'] },
      { id: 'S', pendingId: 'R', flags: ['void_pending_transfer', 'linked'] },
    ],
    expect: ['exists', 'exists', 'exists', 'exists_with_different_amount', 'linked_event_chain_open'],
  },
  {
    name: 'balancing replays are exists when asking at least what moved',
    setup: [{ id: 'S', dr: 'D', cr: 'B', amount: 80, flags: ['balancing_debit'] }],
    events: [
      { id: 'S', dr: 'D', cr: 'B', amount: 50, flags: ['balancing_debit'] },
      { id: 'S', dr: 'D', cr: 'B', amount: 1000, flags: ['balancing_debit'] },
      { id: 'S', dr: 'D', cr: 'B', amount: 49, flags: ['balancing_debit'] },
    ],
    expect: ['exists', 'exists', 'exists_with_different_amount'],
  },
);

function runTransferRow(row: TransferRow): { results: TransferResult[]; ledger: MemoryLedger } {
  const ledger = fixture(row.startNs ?? START_NS);
  expectAllOk(ledger.createAccounts(overflowAccounts));
  if (row.setup) expectAllOk(ledger.createTransfers(row.setup));
  ledger.nowNs += BigInt(row.clockSeconds ?? 0) * 1_000_000_000n;
  const results = ledger.createTransfers(row.events);
  ledger.assertInvariants();
  return { results, ledger };
}

const ACCOUNT_ROWS: AccountRow[] = [
  { name: 'new account', events: [{ id: 'N' }], expect: ['ok'] },
  { name: 'created closed', events: [{ id: 'N', flags: ['closed'] }], expect: ['ok'] },
  {
    name: 'both limit flags',
    events: [{ id: 'N', flags: ['debits_must_not_exceed_credits', 'credits_must_not_exceed_debits'] }],
    expect: ['flags_are_mutually_exclusive'],
  },
  { name: 'ledger 0', events: [{ id: 'N', ledger: 0 }], expect: ['ledger_must_not_be_zero'] },
  { name: 'code 0', events: [{ id: 'N', code: 0 }], expect: ['code_must_not_be_zero'] },
  {
    name: 'precedence: new account validation order',
    events: [
      { id: 'N1', ledger: 0, code: 0, flags: ['debits_must_not_exceed_credits', 'credits_must_not_exceed_debits'] },
      { id: 'N2', ledger: 0, code: 0 },
      { id: 'N3', code: 0 },
    ],
    expect: ['flags_are_mutually_exclusive', 'ledger_must_not_be_zero', 'code_must_not_be_zero'],
  },
  {
    name: 'precedence: replays in the documented order',
    events: [
      { id: 'D', flags: ['history'], userData: 'x', ledger: 5, code: 5 },
      { id: 'D', flags: ['debits_must_not_exceed_credits'], userData: 'x', ledger: 5, code: 5 },
      { id: 'D', flags: ['debits_must_not_exceed_credits'], ledger: 5, code: 5 },
      { id: 'D', flags: ['debits_must_not_exceed_credits'], code: 5 },
      { id: 'D', flags: ['debits_must_not_exceed_credits'] },
    ],
    expect: ['exists_with_different_flags', 'exists_with_different_user_data', 'exists_with_different_ledger', 'exists_with_different_code', 'exists'],
  },
  {
    name: 'a replay is recognised before validation (reference order)',
    events: [
      { id: 'A', ledger: 0 },
      { id: 'A', code: 0 },
      { id: 'A', flags: ['debits_must_not_exceed_credits', 'credits_must_not_exceed_debits'] },
    ],
    expect: ['exists_with_different_ledger', 'exists_with_different_code', 'exists_with_different_flags'],
  },
  {
    name: 'chains: rollback, open chain',
    events: [
      { id: 'N1', flags: ['linked'] },
      { id: 'N2', flags: ['linked'] },
      { id: 'N2' },
      { id: 'N3' },
      { id: 'N4', flags: ['linked'] },
      { id: 'N5', flags: ['linked'] },
    ],
    expect: ['linked_event_failed', 'linked_event_failed', 'exists_with_different_flags', 'ok', 'linked_event_failed', 'linked_event_chain_open'],
  },
];

describe('transfer results', () => {
  it.each(TRANSFER_ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    expect(runTransferRow(row).results).toEqual(row.expect);
  });
});

describe('account results', () => {
  it.each(ACCOUNT_ROWS.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const ledger = fixture();
    expect(ledger.createAccounts(row.events)).toEqual(row.expect);
    ledger.assertInvariants();
  });
});

describe('coverage of the result tables', () => {
  it('every transfer result has a row', () => {
    const seen = new Set(TRANSFER_ROWS.flatMap((r) => r.expect));
    expect(TRANSFER_RESULTS.filter((code) => !seen.has(code))).toEqual([]);
  });

  it('every account result has a row', () => {
    const seen = new Set(ACCOUNT_ROWS.flatMap((r) => r.expect));
    expect(ACCOUNT_RESULTS.filter((code) => !seen.has(code))).toEqual([]);
  });
});

describe('balances after two-phase and balancing rows', () => {
  it('partial post posts part and releases the rest', () => {
    const { ledger } = runTransferRow(TRANSFER_ROWS.find((r) => r.name === 'partial post')!);
    expect(ledger.balances('B')).toEqual({ debitsPending: 0n, debitsPosted: 0n, creditsPending: 17n, creditsPosted: 9n });
  });

  it('balancing debit moves exactly what the account had', () => {
    const { ledger } = runTransferRow(TRANSFER_ROWS.find((r) => r.name === 'balancing debit limited by the balance')!);
    expect(ledger.transfers.get('T')?.amount).toBe(50n);
    expect(ledger.balances('D')).toEqual({ debitsPending: 0n, debitsPosted: 50n, creditsPending: 0n, creditsPosted: 50n });
  });

  it('a pending balancing transfer reserves only what is left', () => {
    const { ledger } = runTransferRow(TRANSFER_ROWS.find((r) => r.name === 'pending balancing transfer reserves what is left')!);
    expect(ledger.transfers.get('T')?.amount).toBe(5n);
    expect(ledger.balances('D')).toEqual({ debitsPending: 50n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 50n });
  });
});
