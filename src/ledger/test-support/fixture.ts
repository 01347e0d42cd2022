// A small ledger every table row starts from: plain, limited, cross-ledger and closed accounts, some
// posted balances and a few pending transfers to post, void, replay or let expire.
import type { AccountResult, TransferResult } from '../results.ts';
import { type AccountSpec, MemoryLedger, START_NS, type TransferSpec } from './memory-ledger.ts';

export const FIXTURE_ACCOUNTS: readonly AccountSpec[] = [
  { id: 'A' },
  { id: 'B' },
  { id: 'D', flags: ['debits_must_not_exceed_credits'] },
  { id: 'C', flags: ['credits_must_not_exceed_debits'] },
  { id: 'X', ledger: 2, code: 2 },
  { id: 'Y', ledger: 2, code: 2 },
  { id: 'Q', flags: ['closed'] },
];

/** R is the transfer replay rows compare against; P1/P2/R are pending, PT is not. */
export const FIXTURE_TRANSFERS: readonly TransferSpec[] = [
  { id: 'F1', dr: 'A', cr: 'D', amount: 50 },
  { id: 'F2', dr: 'C', cr: 'A', amount: 50 },
  { id: 'P1', dr: 'A', cr: 'B', amount: 10, flags: ['pending'] },
  { id: 'P2', dr: 'A', cr: 'B', amount: 10, flags: ['pending'], timeout: 60 },
  { id: 'PT', dr: 'A', cr: 'B', amount: 5 },
  { id: 'R', dr: 'A', cr: 'B', amount: 7, flags: ['pending'], timeout: 30, userData: 'u' },
];

export function fixture(startNs: bigint = START_NS): MemoryLedger {
  const ledger = new MemoryLedger(startNs);
  expectAllOk(ledger.createAccounts(FIXTURE_ACCOUNTS));
  expectAllOk(ledger.createTransfers(FIXTURE_TRANSFERS));
  return ledger;
}

export function expectAllOk(results: readonly (AccountResult | TransferResult)[]): void {
  const bad = results.findIndex((r) => r !== 'ok');
  if (bad >= 0) throw new Error(`setup event ${bad} failed: ${results[bad]}`);
}
