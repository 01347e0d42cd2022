// The reserves check at close: per ledger, what the banks hold for Formica (reserves, less what
// sits in suspense) must equal what Formica owes (wallets, withdrawals on their way out, escrow
// and every other liability, net of the platform's own adjustments and revenue), to the fen. Accounts are
// classified by their ledger code alone, so a module's new account kind counts as a liability.
import type { Account } from '../../ledger/index.ts';
import { currencyOfLedger } from '../../money/currency.ts';
import type { LedgerStore } from '../../store/store.ts';
import { AccountCode } from '../books/chart.ts';

const SCAN_BATCH = 10_000;

export interface LedgerReserves {
  readonly ledger: number;
  readonly currency: string;
  /** Σ bank reserves (assets: debits − credits, posted). */
  readonly reservesMinor: bigint;
  /** Σ suspense (credits − debits): money at the banks that no wallet owns yet. */
  readonly suspenseMinor: bigint;
  /** Σ wallets' available balances. */
  readonly walletsMinor: bigint;
  /** Σ wallets' held amounts (withdrawals sent, not settled). */
  readonly walletsHeldMinor: bigint;
  /** Σ other liabilities by account code (escrow, merchants, ...), credits − debits. */
  readonly otherLiabilitiesMinor: bigint;
  readonly otherByCode: Record<string, bigint>;
  /** The platform's own accounts, adjustments and revenue (credits − debits): negative when it funded wallets. */
  readonly platformMinor: bigint;
  /** (reserves − suspense) − (wallets + held + other + platform); 0 when it reconciles. */
  readonly differenceMinor: bigint;
  readonly balanced: boolean;
}

export interface ReservesReport {
  readonly balanced: boolean;
  readonly ledgers: LedgerReserves[];
}

interface Sums {
  reserves: bigint;
  suspense: bigint;
  wallets: bigint;
  held: bigint;
  platform: bigint;
  other: Map<number, bigint>;
}

export async function checkReserves(store: LedgerStore): Promise<ReservesReport> {
  const byLedger = new Map<number, Sums>();
  for await (const accounts of store.scanAccounts(SCAN_BATCH)) {
    for (const account of accounts) add(sumsOf(byLedger, account.ledger), account);
  }
  const ledgers = [...byLedger].sort(([a], [b]) => a - b).map(([ledger, sums]) => toReport(ledger, sums));
  return { balanced: ledgers.every((l) => l.balanced), ledgers };
}

function sumsOf(map: Map<number, Sums>, ledger: number): Sums {
  let sums = map.get(ledger);
  if (!sums) {
    sums = { reserves: 0n, suspense: 0n, wallets: 0n, held: 0n, platform: 0n, other: new Map() };
    map.set(ledger, sums);
  }
  return sums;
}

function add(sums: Sums, a: Account): void {
  const liability = a.creditsPosted - a.debitsPosted;
  switch (a.code) {
    case AccountCode.bankReserve:
      sums.reserves -= liability;
      break;
    case AccountCode.bankSuspense:
      sums.suspense += liability;
      break;
    case AccountCode.userWallet:
      sums.wallets += liability - a.debitsPending;
      sums.held += a.debitsPending;
      break;
    case AccountCode.adjustments:
    case AccountCode.platformRevenue:
      sums.platform += liability;
      break;
    default:
      sums.other.set(a.code, (sums.other.get(a.code) ?? 0n) + liability);
  }
}

function toReport(ledger: number, s: Sums): LedgerReserves {
  const other = [...s.other.values()].reduce((x, y) => x + y, 0n);
  const difference = s.reserves - s.suspense - (s.wallets + s.held + other + s.platform);
  return {
    ledger,
    currency: currencyOfLedger(ledger)?.code ?? `ledger ${ledger}`,
    reservesMinor: s.reserves,
    suspenseMinor: s.suspense,
    walletsMinor: s.wallets,
    walletsHeldMinor: s.held,
    otherLiabilitiesMinor: other,
    otherByCode: Object.fromEntries([...s.other].sort(([a], [b]) => a - b).map(([code, v]) => [String(code), v])),
    platformMinor: s.platform,
    differenceMinor: difference,
    balanced: difference === 0n,
  };
}
