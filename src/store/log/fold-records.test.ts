import { describe, expect, it } from 'vitest';
import type { Account, PendingState, Transfer } from '../../ledger/index.ts';
import type { LogRecord } from './codec.ts';
import { foldRecords } from './fold-records.ts';

const account = (id: string, creditsPosted: bigint): Account => ({
  id,
  ledger: 156,
  code: 1,
  flags: 0,
  userData: '',
  debitsPending: 0n,
  debitsPosted: 0n,
  creditsPending: 0n,
  creditsPosted,
  timestamp: 1n,
});
const image = (key: number, creditsPosted: bigint) => ({ key, flags: 0, debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted });
const transfer = (id: string): Transfer => ({
  id,
  debitAccountId: 'old',
  creditAccountId: 'new',
  amount: 1n,
  pendingId: '',
  timeout: 0,
  ledger: 156,
  code: 1,
  flags: 0,
  userData: '',
  timestamp: 2n,
});
const pending = (id: string, status: PendingState['status']): PendingState => ({ id, status, expiresAt: 0n });
const record = (parts: Partial<LogRecord>): LogRecord => ({
  newAccounts: [],
  afterImages: [],
  transfers: [],
  newPending: [],
  resolvedPending: [],
  failures: [],
  lastTimestamp: 2n,
  ...parts,
});

describe('foldRecords', () => {
  it('writes each account and pending state once, as the last of the rows leaves it', () => {
    const folded = foldRecords([
      record({
        newAccounts: [{ key: 2, account: account('new', 0n) }],
        afterImages: [image(1, 5n)],
        transfers: [transfer('t1'), transfer('p1')],
        newPending: [pending('p1', 'pending')],
        failures: [{ id: 'f1', result: 'exceeds_credits' }],
      }),
      record({ afterImages: [image(1, 7n), image(2, 3n)], transfers: [transfer('t2')], resolvedPending: [pending('p1', 'posted'), pending('p0', 'voided')] }),
    ]);
    expect(folded.newAccounts).toEqual([{ key: 2, account: account('new', 3n) }]);
    expect(folded.afterImages).toEqual([image(1, 7n)]);
    expect(folded.transfers.map((t) => t.id)).toEqual(['t1', 'p1', 't2']);
    expect(folded.newPending).toEqual([pending('p1', 'posted')]);
    expect(folded.resolvedPending).toEqual([pending('p0', 'voided')]);
    expect(folded.failures).toEqual([{ id: 'f1', result: 'exceeds_credits' }]);
  });
});
