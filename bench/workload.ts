// Transfer workloads for the benchmarks: 10,000 accounts on one ledger, time-ordered ids, and a
// uniform or a hot-merchant distribution of credit accounts.
import { type Clock, systemClock } from '../src/engine/clock.ts';
import { type IdSource, ulidIds } from '../src/engine/ids.ts';
import type { AccountEvent, TransferEvent } from '../src/ledger/index.ts';

export const LEDGER = 156;
export const ACCOUNT_COUNT = 10_000;

export type Distribution = 'uniform' | 'hot';

export const DISTRIBUTION_LABEL: Record<Distribution, string> = {
  uniform: 'uniform',
  hot: '50% credit 1 acct',
};

export interface Workload {
  readonly accountIds: readonly string[];
  accountEvents(): AccountEvent[];
  transfer(): TransferEvent;
  transfers(n: number): TransferEvent[];
}

export function workload(distribution: Distribution, clock: Clock = systemClock): Workload {
  const ids: IdSource = ulidIds(clock);
  const accountIds = Array.from({ length: ACCOUNT_COUNT }, () => ids.next('acc'));
  const pick = () => Math.floor(Math.random() * ACCOUNT_COUNT);
  const transfer = (): TransferEvent => {
    const hot = distribution === 'hot' && Math.random() < 0.5;
    const credit = hot ? 0 : pick();
    let debit = pick();
    while (debit === credit) debit = pick();
    return {
      id: ids.next('trf'),
      debitAccountId: accountIds[debit],
      creditAccountId: accountIds[credit],
      amount: BigInt(1 + Math.floor(Math.random() * 10_000)),
      pendingId: null,
      timeout: 0,
      ledger: LEDGER,
      code: 1,
      flags: 0,
      userData: null,
    };
  };
  return {
    accountIds,
    accountEvents: () => accountIds.map((id) => ({ id, ledger: LEDGER, code: 1, flags: 0, userData: '' })),
    transfer,
    transfers: (n) => Array.from({ length: n }, transfer),
  };
}
