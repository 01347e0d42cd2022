// The log codec gives back exactly what it packed, for any batch: amounts and balances up to
// 2^63-1, any text, transfers naming accounts created in the same record or before it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, encodeRecord, type LogRecord } from './codec.ts';

const MAX = 2n ** 63n - 1n;
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const money = fc.bigInt({ min: 0n, max: MAX });
const balances = { flags: u32, debitsPending: money, debitsPosted: money, creditsPending: money, creditsPosted: money };
const status = fc.constantFrom('pending' as const, 'posted' as const, 'voided' as const, 'expired' as const);
const pendingState = fc.record({ id: fc.string(), status, expiresAt: fc.bigInt({ min: 0n, max: MAX }) });

/** Accounts 1..known exist before the record; the record creates the next ones in key order. */
function record(known: number): fc.Arbitrary<LogRecord> {
  const account = fc.record({ id: fc.string({ minLength: 1 }), ledger: u32, code: u32, userData: fc.string(), timestamp: money, ...balances });
  return fc.array(account, { maxLength: 5 }).chain((fresh) => {
    const newAccounts = fresh.map((a, i) => ({ key: known + i + 1, account: { ...a, id: `new-${i}-${a.id}` } }));
    const keys = fc.integer({ min: 1, max: known + newAccounts.length });
    const transfer = fc.record({
      timestamp: money,
      id: fc.string(),
      debit: keys,
      credit: keys,
      amount: money,
      pendingId: fc.string(),
      timeout: u32,
      ledger: u32,
      code: u32,
      flags: u32,
      userData: fc.string(),
    });
    return fc.record({
      newAccounts: fc.constant(newAccounts),
      afterImages: fc.array(fc.record({ key: fc.integer({ min: 1, max: known }), ...balances }), { maxLength: 5 }),
      transfers: fc
        .array(transfer, { maxLength: 8 })
        .map((ts) => ts.map(({ debit, credit, ...t }) => ({ ...t, debitAccountId: idOf(newAccounts, debit), creditAccountId: idOf(newAccounts, credit) }))),
      newPending: fc.array(pendingState, { maxLength: 3 }),
      resolvedPending: fc.array(pendingState, { maxLength: 3 }),
      failures: fc.array(fc.record({ id: fc.string(), result: fc.constantFrom('exceeds_credits' as const, 'exists' as const) }), { maxLength: 3 }),
      lastTimestamp: money,
    });
  });
}

function idOf(created: LogRecord['newAccounts'], key: number): string {
  return created.find((k) => k.key === key)?.account.id ?? `old-${key}`;
}

function keyOf(created: LogRecord['newAccounts'], id: string): number {
  return created.find((k) => k.account.id === id)?.key ?? Number(id.slice('old-'.length));
}

describe('log codec', () => {
  it('round-trips any record', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }).chain(record), (r) => {
        const blobs = encodeRecord(r, (id) => keyOf(r.newAccounts, id));
        expect(decodeRecord(blobs, r.lastTimestamp, (key) => `old-${key}`)).toEqual(r);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses an amount beyond 64 signed bits rather than wrap it', () => {
    const r: LogRecord = {
      newAccounts: [],
      afterImages: [{ key: 1, flags: 0, debitsPending: 2n ** 63n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n }],
      transfers: [],
      newPending: [],
      resolvedPending: [],
      failures: [],
      lastTimestamp: 1n,
    };
    expect(() => encodeRecord(r, () => 1)).toThrow(RangeError);
  });
});
