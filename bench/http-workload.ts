// The HTTP section's requests: one small JSON body per request, built the same way for the bare
// baseline and for Formica, with a fresh time-ordered id in every request.
import { systemClock } from '../src/engine/clock.ts';
import { ulidIds } from '../src/engine/ids.ts';

export const HTTP_LEDGER = 156;
export const HTTP_ACCOUNTS = 10_000;
export const WALLET_AMOUNT = '0.01';

export type LoadKind = 'bare' | 'ledger' | 'wallet' | 'trade';

/** What the load worker (bench/http-load.ts) is told, as one JSON argument. */
export interface LoadPlan {
  readonly kind: LoadKind;
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly measureSeconds: number;
  /** The operator token (ledger) or the payers' session tokens (wallet). */
  readonly tokens: readonly string[];
  /** Wallet only: payer i pays payeePhones[i]. */
  readonly payeePhones: readonly string[];
  /** Trade only: signed requests prepared by the setup, one JSON line each, each sent once. */
  readonly requestsFile?: string;
}

/** What the worker prints: autocannon's counts plus the bodies that answered 2xx but not success. */
export interface LoadResult {
  readonly seconds: number;
  readonly responses: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly bodyFailures: number;
  readonly firstFailure: string | null;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export function accountId(i: number): string {
  return `bench_acct_${String(i).padStart(6, '0')}`;
}

export const FUNDING_ACCOUNT = 'bench_funding';

const ids = ulidIds(systemClock);

function pick(): number {
  return Math.floor(Math.random() * HTTP_ACCOUNTS);
}

/** `{"transfers":[one transfer]}` between two distinct random accounts, as POST /v1/ledger/transfers takes. */
export function ledgerTransferBody(): string {
  const debit = pick();
  let credit = pick();
  while (credit === debit) credit = pick();
  const transfer = {
    id: ids.next('trf'),
    debit_account_id: accountId(debit),
    credit_account_id: accountId(credit),
    amount: String(1 + Math.floor(Math.random() * 100)),
    ledger: HTTP_LEDGER,
    code: 1,
  };
  return JSON.stringify({ transfers: [transfer] });
}

/** A wallet payment of 0.01 CNY to `toPhone`, idempotent on a fresh request id. */
export function walletTransferBody(toPhone: string): string {
  return JSON.stringify({ to_phone: toPhone, amount: WALLET_AMOUNT, currency: 'CNY', request_id: ids.next('req') });
}

/** Payer i's phone and payee i's phone: distinct mainland numbers. */
export function benchPhone(role: 'payer' | 'payee', i: number): string {
  return `${role === 'payer' ? '138' : '139'}${String(i).padStart(8, '0')}`;
}
