// What the Formica server holds before its HTTP rows are measured, made through its own API:
// 10,000 ledger accounts that may not overdraw, funded by one batch; and funded, verified
// wallet payers (level III, in person) with a payee each, logged in.
import { MAX_BATCH_EVENTS } from '../src/ledger/index.ts';
import { accountId, benchPhone, FUNDING_ACCOUNT, HTTP_ACCOUNTS, HTTP_LEDGER } from './http-workload.ts';

const FUNDING_PER_ACCOUNT = '1000000000';
const PASSWORD = 'bench-password';
const WALLET_FUNDING = '10000.00';
/** Registrations and logins hash a password (scrypt): this many at a time. */
const SETUP_PARALLEL = 8;

export interface Api {
  readonly url: string;
  readonly token: string;
}

export async function post<T>(api: Api, route: string, body: unknown, bearer = api.token): Promise<T> {
  const response = await fetch(api.url + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup POST ${route}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

type Results = { results: { id: string; result: string }[] };

function requireOk(what: string, r: Results): void {
  const bad = r.results.find((x) => x.result !== 'ok');
  if (bad) throw new Error(`setup ${what}: ${bad.id} ${bad.result}`);
}

/** The accounts and one funding transfer into each, in batches of at most MAX_BATCH_EVENTS. */
export async function setupLedger(api: Api): Promise<void> {
  const ids = Array.from({ length: HTTP_ACCOUNTS }, (_, i) => accountId(i));
  const accounts = ids.map((id) => ({ id, ledger: HTTP_LEDGER, code: 1, flags: ['debits_must_not_exceed_credits'] }));
  requireOk('funding account', await post<Results>(api, '/v1/ledger/accounts', { accounts: [{ id: FUNDING_ACCOUNT, ledger: HTTP_LEDGER, code: 1 }] }));
  for (let i = 0; i < accounts.length; i += MAX_BATCH_EVENTS) {
    requireOk('accounts', await post<Results>(api, '/v1/ledger/accounts', { accounts: accounts.slice(i, i + MAX_BATCH_EVENTS) }));
  }
  const funding = ids.map((id) => ({
    id: `fund_${id}`,
    debit_account_id: FUNDING_ACCOUNT,
    credit_account_id: id,
    amount: FUNDING_PER_ACCOUNT,
    ledger: HTTP_LEDGER,
    code: 1,
  }));
  for (let i = 0; i < funding.length; i += MAX_BATCH_EVENTS) {
    requireOk('funding', await post<Results>(api, '/v1/ledger/transfers', { transfers: funding.slice(i, i + MAX_BATCH_EVENTS) }));
  }
}

async function register(api: Api, phone: string): Promise<string> {
  const r = await post<{ user_id: string }>(api, '/v1/users', { phone, password: PASSWORD, name: `Bench ${phone}` });
  return r.user_id;
}

/** A payer: registered, verified in person at level III, funded by an operator adjustment, logged in. */
async function payer(api: Api, i: number): Promise<string> {
  const phone = benchPhone('payer', i);
  const userId = await register(api, phone);
  await post(api, `/v1/admin/users/${userId}/verifications`, { level: 'III', reference: `bench-${i}` });
  await post(api, '/v1/admin/adjustments', {
    user_id: userId,
    amount: WALLET_FUNDING,
    currency: 'CNY',
    direction: 'credit',
    reason: 'bench funding',
    request_id: `bench-fund-${i}`,
  });
  const session = await post<{ token: string }>(api, '/v1/sessions', { phone, password: PASSWORD });
  return session.token;
}

export async function inBatches<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += SETUP_PARALLEL) {
    const batch = Array.from({ length: Math.min(SETUP_PARALLEL, count - i) }, (_, j) => make(i + j));
    out.push(...(await Promise.all(batch)));
  }
  return out;
}

/** `count` verified, funded, logged-in payers: their session tokens and phones. */
export async function setupPayers(api: Api, count: number): Promise<{ tokens: string[]; phones: string[] }> {
  const tokens = await inBatches(count, (i) => payer(api, i));
  return { tokens, phones: Array.from({ length: count }, (_, i) => benchPhone('payer', i)) };
}

/** `count` payers and `count` payees; returns the payers' session tokens and the payees' phones. */
export async function setupWallet(api: Api, count: number): Promise<{ tokens: string[]; payeePhones: string[] }> {
  const payeePhones = Array.from({ length: count }, (_, i) => benchPhone('payee', i));
  await inBatches(count, (i) => register(api, payeePhones[i]));
  const { tokens } = await setupPayers(api, count);
  return { tokens, payeePhones };
}
