import { describe, expect, it } from 'vitest';
import type { Transfer } from '../../ledger/index.ts';
import type { LogRecord } from './codec.ts';
import { LogTail } from './log-tail.ts';

let clock = 0n;

function transfer(id: string, from: string, to: string, code = 1): Transfer {
  clock += 10n;
  return { id, debitAccountId: from, creditAccountId: to, amount: 1n, pendingId: '', timeout: 0, ledger: 156, code, flags: 0, userData: '', timestamp: clock };
}

function row(transfers: Transfer[], extra: Partial<LogRecord> = {}): LogRecord {
  const last = transfers.at(-1)?.timestamp ?? clock;
  return { newAccounts: [], afterImages: [], transfers, newPending: [], resolvedPending: [], failures: [], lastTimestamp: last, ...extra };
}

const ids = (found: { value: Transfer }[]) => found.map((f) => f.value.id);

describe('LogTail', () => {
  it('answers transfers and account history across its rows until they are dropped', () => {
    const tail = new LogTail();
    tail.add(1, row([transfer('a1', 'bank', 'ann'), transfer('a2', 'bank', 'bob', 2)]));
    // A history read builds row 1's index; row 2 arrives after it.
    expect(ids(tail.accountTransfers('bank', { limit: 10 }, 10))).toEqual(['a1', 'a2']);
    tail.add(2, row([transfer('b1', 'ann', 'bank'), transfer('b2', 'bob', 'ann', 2)]));
    expect(ids(tail.accountTransfers('bank', { limit: 10 }, 10))).toEqual(['a1', 'a2', 'b1']);
    expect(ids(tail.accountTransfers('ann', { limit: 10 }, 10))).toEqual(['a1', 'b1', 'b2']);
    expect(ids(tail.accountTransfers('ann', { limit: 10 }, 2))).toEqual(['a1', 'b1']);
    expect(ids(tail.accountTransfers('ann', { limit: 10, code: 2 }, 10))).toEqual(['b2']);
    const a1 = tail.transfer('a1')?.value as Transfer;
    expect(ids(tail.accountTransfers('ann', { limit: 10, after: a1.timestamp }, 10))).toEqual(['b1', 'b2']);
    expect(ids(tail.accountTransfers('ann', { limit: 10, until: a1.timestamp }, 10))).toEqual(['a1']);
    expect(tail.transfer('b2')).toMatchObject({ seq: 2, value: { id: 'b2' } });
    expect(tail.reaches({ rows: 2, transfers: 100 })).toBe(true);
    expect(tail.reaches({ rows: 3, transfers: 4 })).toBe(true);
    expect(tail.reaches({ rows: 3, transfers: 5 })).toBe(false);

    tail.dropThrough(1);
    expect(tail.transfer('a1')).toBeUndefined();
    expect(ids(tail.accountTransfers('bank', { limit: 10 }, 10))).toEqual(['b1']);
    expect(tail.reaches({ rows: 2, transfers: 3 })).toBe(false);
    expect(tail.rowsAfter(0, 5).map((r) => r.seq)).toEqual([2]);
    tail.dropThrough(2);
    expect(tail.length).toBe(0);
    expect(tail.accountTransfers('ann', { limit: 10 }, 10)).toEqual([]);
  });

  it('keeps a pending state or failure until the row that last set it leaves', () => {
    const tail = new LogTail();
    const hold = { id: 'h', status: 'pending' as const, expiresAt: 0n };
    tail.add(1, row([], { newPending: [hold], failures: [{ id: 'f', result: 'exceeds_credits' }] }));
    tail.add(2, row([], { resolvedPending: [{ ...hold, status: 'posted' }] }));
    tail.dropThrough(1);
    expect(tail.pending.get('h')).toEqual({ seq: 2, value: { ...hold, status: 'posted' } });
    expect(tail.failures.has('f')).toBe(false);
    tail.dropThrough(2);
    expect(tail.pending.size).toBe(0);
  });
});
