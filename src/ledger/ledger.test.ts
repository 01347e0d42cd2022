// Scenarios over several batches: closing and reopening accounts, expiry, chains within and across
// requests, and which failed ids stay failed. Balances and invariants are checked after each.
import { describe, expect, it } from 'vitest';
import type { TransferResult } from './results.ts';
import { expectAllOk, fixture } from './test-support/fixture.ts';
import type { MemoryLedger, TransferSpec } from './test-support/memory-ledger.ts';
import { NANOS_PER_SECOND } from './types.ts';

function run(ledger: MemoryLedger, events: TransferSpec[]): TransferResult[] {
  const results = ledger.createTransfers(events);
  ledger.assertInvariants();
  return results;
}

describe('closing transfers', () => {
  it('closing_debit closes the debit account until the closing transfer is voided', () => {
    const l = fixture();
    expect(run(l, [{ id: 'K', dr: 'A', cr: 'B', amount: 1, flags: ['pending', 'closing_debit'] }])).toEqual(['ok']);
    expect(l.isClosed('A')).toBe(true);
    expect(l.isClosed('B')).toBe(false);
    expect(
      run(l, [
        { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
        { id: 'T2', dr: 'B', cr: 'A', amount: 1 },
        { id: 'T3', dr: 'A', cr: 'B', amount: 1, flags: ['pending', 'closing_debit'] },
      ]),
    ).toEqual(['debit_account_already_closed', 'credit_account_already_closed', 'debit_account_already_closed']);
    expect(run(l, [{ id: 'V', pendingId: 'K', flags: ['void_pending_transfer'] }])).toEqual(['ok']);
    expect(l.isClosed('A')).toBe(false);
    // The closed-account failures were transient: those ids stay failed.
    expect(
      run(l, [
        { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
        { id: 'T4', dr: 'A', cr: 'B', amount: 1 },
      ]),
    ).toEqual(['id_already_failed', 'ok']);
  });

  it('closing_credit closes the credit account; expiry reopens it', () => {
    const l = fixture();
    expect(run(l, [{ id: 'K', dr: 'A', cr: 'B', amount: 2, flags: ['pending', 'closing_credit'], timeout: 10 }])).toEqual(['ok']);
    expect(l.isClosed('B')).toBe(true);
    expect(l.advance(9)).toBe(0);
    expect(l.isClosed('B')).toBe(true);
    expect(l.advance(1)).toBe(0); // The deadline counts from the transfer's timestamp, a little after now.
    expect(l.advance(1)).toBe(1);
    expect(l.isClosed('B')).toBe(false);
    l.assertInvariants();
    expect(run(l, [{ id: 'T', dr: 'A', cr: 'B', amount: 1 }])).toEqual(['ok']);
  });

  it('posting the closing transfer is refused; voiding other holds on a closed account is allowed', () => {
    const l = fixture();
    expect(run(l, [{ id: 'K', dr: 'A', cr: 'B', amount: 1, flags: ['pending', 'closing_debit'] }])).toEqual(['ok']);
    expect(
      run(l, [
        { id: 'T1', pendingId: 'K', flags: ['post_pending_transfer'] },
        { id: 'T2', pendingId: 'P1', flags: ['post_pending_transfer'] },
        { id: 'T3', pendingId: 'P2', flags: ['void_pending_transfer'] },
      ]),
    ).toEqual(['debit_account_already_closed', 'debit_account_already_closed', 'ok']);
    expect(l.isClosed('A')).toBe(true);
    expect(l.balances('A')?.debitsPending).toBe(18n);
  });

  it('a closed chain member is rolled back with its chain, reopening the account', () => {
    const l = fixture();
    expect(
      run(l, [
        { id: 'K', dr: 'A', cr: 'B', amount: 1, flags: ['pending', 'closing_debit', 'linked'] },
        { id: 'T', dr: 'A', cr: 'B', amount: 1 },
      ]),
    ).toEqual(['linked_event_failed', 'debit_account_already_closed']);
    expect(l.isClosed('A')).toBe(false);
    expect(l.transfers.has('K')).toBe(false);
  });

  it('a balancing closing transfer may reserve 0 and still closes', () => {
    const l = fixture();
    expectAllOk(l.createAccounts([{ id: 'E' }]));
    expect(run(l, [{ id: 'K', dr: 'E', cr: 'A', amount: 5, flags: ['pending', 'closing_debit', 'balancing_debit'] }])).toEqual(['ok']);
    expect(l.transfers.get('K')?.amount).toBe(0n);
    expect(l.isClosed('E')).toBe(true);
    expect(run(l, [{ id: 'P', pendingId: 'K', flags: ['post_pending_transfer'] }])).toEqual(['debit_account_already_closed']);
    expect(run(l, [{ id: 'V', pendingId: 'K', flags: ['void_pending_transfer'] }])).toEqual(['ok']);
    expect(l.isClosed('E')).toBe(false);
  });
});

describe('expiry', () => {
  it('is pending_transfer_expired from the deadline on, even before the sweep', () => {
    const l = fixture();
    expect(run(l, [{ id: 'H', dr: 'A', cr: 'B', amount: 3, flags: ['pending'], timeout: 5 }])).toEqual(['ok']);
    const expiresAt = l.transfers.get('H')!.timestamp + 5n * NANOS_PER_SECOND;
    l.nowNs = expiresAt - 1n;
    expect(run(l, [{ id: 'V1', pendingId: 'H', amount: 9, flags: ['void_pending_transfer'] }])).toEqual(['exceeds_pending_transfer_amount']);
    l.nowNs = expiresAt;
    expect(run(l, [{ id: 'V2', pendingId: 'H', flags: ['void_pending_transfer'] }])).toEqual(['pending_transfer_expired']);
    // Not swept yet: the hold is still on the balances.
    expect(l.balances('A')?.debitsPending).toBe(30n);
    expect(l.expireDue()).toBe(1);
    expect(l.balances('A')?.debitsPending).toBe(27n);
    expect(run(l, [{ id: 'V3', pendingId: 'H', flags: ['post_pending_transfer'] }])).toEqual(['pending_transfer_expired']);
  });

  it('a post one nanosecond before the deadline still succeeds', () => {
    const l = fixture();
    expectAllOk(l.createTransfers([{ id: 'H', dr: 'A', cr: 'B', amount: 3, flags: ['pending'], timeout: 5 }]));
    l.nowNs = l.transfers.get('H')!.timestamp + 5n * NANOS_PER_SECOND - 1n;
    expect(run(l, [{ id: 'P', pendingId: 'H', amount: 2, flags: ['post_pending_transfer'] }])).toEqual(['ok']);
    expect(l.advance(100)).toBe(2); // P2 and R expire; H is resolved already.
    l.assertInvariants();
    expect(l.pending.get('H')?.status).toBe('posted');
  });

  it('pending transfers without a timeout never expire', () => {
    const l = fixture();
    l.advance(1_000_000);
    expect(l.pending.get('P1')?.status).toBe('pending');
    expect(l.pending.get('P2')?.status).toBe('expired');
    expect(run(l, [{ id: 'T', pendingId: 'P1', flags: ['post_pending_transfer'] }])).toEqual(['ok']);
  });
});

describe('linked chains', () => {
  it('roll back everything a failed chain did, including posts and voids', () => {
    const l = fixture();
    const before = structuredClone([...l.accounts.values()]);
    expect(
      run(l, [
        { id: 'T1', dr: 'A', cr: 'B', amount: 4, flags: ['linked'] },
        { id: 'T2', pendingId: 'P1', amount: 3, flags: ['post_pending_transfer', 'linked'] },
        { id: 'T3', pendingId: 'P2', flags: ['void_pending_transfer', 'linked'] },
        { id: 'T4', dr: 'B', cr: 'D', amount: 5, flags: ['pending', 'linked'] },
        { id: 'T5', dr: 'D', cr: 'B', amount: 999 },
      ]),
    ).toEqual(['linked_event_failed', 'linked_event_failed', 'linked_event_failed', 'linked_event_failed', 'exceeds_credits']);
    expect([...l.accounts.values()]).toEqual(before);
    expect(l.pending.get('P1')?.status).toBe('pending');
    expect(l.pending.get('P2')?.status).toBe('pending');
    // linked_event_failed leaves ids free; the transient failure of T5 stays.
    expect(
      run(l, [
        { id: 'T1', dr: 'A', cr: 'B', amount: 4 },
        { id: 'T5', dr: 'D', cr: 'B', amount: 1 },
      ]),
    ).toEqual(['ok', 'id_already_failed']);
  });

  it('a chain sees its own effects: a pending created in the chain can be posted in it', () => {
    const l = fixture();
    expect(
      run(l, [
        { id: 'H', dr: 'A', cr: 'B', amount: 5, flags: ['pending', 'linked'] },
        { id: 'P', pendingId: 'H', amount: 2, flags: ['post_pending_transfer', 'linked'] },
        { id: 'V', pendingId: 'H', flags: ['void_pending_transfer'] },
      ]),
    ).toEqual(['linked_event_failed', 'linked_event_failed', 'pending_transfer_already_posted']);
    expect(l.transfers.has('H')).toBe(false);
  });

  it('chains never span two requests of one batch', () => {
    const l = fixture();
    const results = l.transferBatch([
      [
        { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
        { id: 'T2', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
      ],
      [{ id: 'T3', dr: 'A', cr: 'B', amount: 1 }],
      [
        { id: 'T4', dr: 'A', cr: 'B', amount: 1, flags: ['linked'] },
        { id: 'T5', dr: 'D', cr: 'B', amount: 999 },
      ],
      [{ id: 'T6', dr: 'A', cr: 'B', amount: 1 }],
    ]);
    l.assertInvariants();
    expect(results).toEqual([['ok', 'linked_event_chain_open'], ['ok'], ['linked_event_failed', 'exceeds_credits'], ['ok']]);
    expect([...l.transfers.keys()].filter((id) => id.startsWith('T'))).toEqual(['T1', 'T3', 'T6']);
  });

  it('a later request in the same batch sees earlier requests and failures', () => {
    const l = fixture();
    const results = l.transferBatch([
      [
        { id: 'T1', dr: 'D', cr: 'B', amount: 999 },
        { id: 'T2', dr: 'A', cr: 'B', amount: 1 },
      ],
      [
        { id: 'T1', dr: 'D', cr: 'B', amount: 1 },
        { id: 'T2', dr: 'A', cr: 'B', amount: 1 },
      ],
    ]);
    expect(results).toEqual([
      ['exceeds_credits', 'ok'],
      ['id_already_failed', 'exists'],
    ]);
    l.assertInvariants();
  });
});

describe('failed ids', () => {
  it('only state-dependent failures are remembered', () => {
    const l = fixture();
    expect(
      run(l, [
        { id: 'E1', dr: 'Z', cr: 'B', amount: 1 },
        { id: 'E2', dr: 'A', cr: 'Z', amount: 1 },
        { id: 'E3', pendingId: 'NO', flags: ['post_pending_transfer'] },
        { id: 'E4', dr: 'D', cr: 'B', amount: 51 },
        { id: 'E5', dr: 'A', cr: 'C', amount: 51 },
        { id: 'E6', dr: 'Q', cr: 'B', amount: 1 },
        { id: 'E7', dr: 'A', cr: 'Q', amount: 1 },
        { id: 'V1', dr: 'A', cr: 'B', amount: 0 },
        { id: 'V2', dr: 'A', cr: 'X', amount: 1 },
        { id: 'V3', pendingId: 'P1', amount: 11, flags: ['post_pending_transfer'] },
        { id: 'V4', dr: 'A', cr: 'B', amount: 1, timeout: 3 },
      ]),
    ).toEqual([
      'debit_account_not_found',
      'credit_account_not_found',
      'pending_transfer_not_found',
      'exceeds_credits',
      'exceeds_debits',
      'debit_account_already_closed',
      'credit_account_already_closed',
      'amount_must_not_be_zero',
      'accounts_must_have_the_same_ledger',
      'exceeds_pending_transfer_amount',
      'timeout_reserved_for_pending_transfer',
    ]);
    const retry = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'V1', 'V2', 'V3', 'V4'].map((id) => ({ id, dr: 'A', cr: 'B', amount: 1 }));
    expect(run(l, retry)).toEqual([...Array(7).fill('id_already_failed'), 'ok', 'ok', 'ok', 'ok']);
    expect([...l.failed.keys()].sort()).toEqual(['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7']);
  });
});

describe('timestamps', () => {
  it('stay strictly increasing when the clock stands still or goes back', () => {
    const l = fixture();
    const last = l.lastTimestamp;
    l.nowNs -= 1_000n * NANOS_PER_SECOND;
    expectAllOk(
      run(l, [
        { id: 'T1', dr: 'A', cr: 'B', amount: 1 },
        { id: 'T2', dr: 'A', cr: 'B', amount: 1 },
      ]),
    );
    expect(l.transfers.get('T1')?.timestamp).toBe(last + 1n);
    expect(l.transfers.get('T2')?.timestamp).toBe(last + 2n);
  });
});
