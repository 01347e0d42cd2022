// The HTTP section of `npm run bench`: a bare Fastify + zod endpoint and the real Formica server,
// each in its own process, driven one after the other by a load worker in a third process, so
// the ratio of payments to the bare endpoint comes from one run on one machine.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad, type ServerChild, startServer } from './http-children.ts';
import { type Api, setupLedger, setupWallet } from './http-setup.ts';
import { setupTradePayments, TRADE_PATH } from './http-trade-setup.ts';
import { HTTP_ACCOUNTS, type LoadKind, type LoadPlan, type LoadResult, WALLET_AMOUNT } from './http-workload.ts';
import { integer } from './report.ts';

export const HTTP_CONNECTIONS = 50;
export const HTTP_WARMUP_SECONDS = 2;
export const HTTP_MEASURE_SECONDS = 8;
/** The trade row replays prepared requests (one paycode each), so it measures a shorter window. */
const TRADE_WARMUP_SECONDS = 1;
const TRADE_MEASURE_SECONDS = 4;
/** Enough prepared payments for the trade row's window at well above the rate it reaches. */
const TRADE_REQUESTS = 16_000;
const WALLET_PAYERS = HTTP_CONNECTIONS;
/** Nothing listens here: FORMICA_BANK_URL points at it so no bank simulator is needed or started. */
const UNUSED_BANK_URL = 'http://127.0.0.1:9';

export interface HttpRow {
  readonly scenario: string;
  readonly server: string;
  readonly request: string;
  readonly connections: number;
  readonly result: LoadResult;
  /** Successful payments (2xx with a success body) per second. */
  readonly perSecond: number;
  readonly vsBaseline: string;
  /** Durable commits (write groups) per successful payment, when the server reports them. */
  readonly commitsPerPayment: number | null;
}

function plan(kind: LoadKind, url: string, route: string, tokens: readonly string[] = [], payeePhones: readonly string[] = []): LoadPlan {
  return {
    kind,
    url,
    path: route,
    connections: HTTP_CONNECTIONS,
    warmupSeconds: HTTP_WARMUP_SECONDS,
    measureSeconds: HTTP_MEASURE_SECONDS,
    tokens,
    payeePhones,
  };
}

function successesPerSecond(r: LoadResult): number {
  return (r.ok2xx - r.bodyFailures) / r.seconds;
}

async function withServer<T>(start: Promise<ServerChild>, use: (server: ServerChild) => Promise<T>): Promise<T> {
  const server = await start;
  try {
    return await use(server);
  } finally {
    await server.stop();
  }
}

async function measureBaseline(file: string): Promise<LoadResult> {
  const script = new URL(file, import.meta.url).pathname;
  return withServer(startServer(script, [], process.env), (s) => runLoad(plan('bare', s.url, '/bare/transfers')));
}

/** The server's count of committed write groups, from its metrics. */
async function commits(api: Api): Promise<number> {
  const response = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${api.token}` } });
  const text = await response.text();
  let total = 0;
  for (const match of text.matchAll(/^formica_ledger_batches_total\{kind="transfers"\} (\d+)/gm)) total += Number(match[1]);
  return total;
}

/** A load run with the commits the server made during it. */
async function measured(api: Api, load: () => Promise<LoadResult>): Promise<{ result: LoadResult; commits: number }> {
  const before = await commits(api);
  const result = await load();
  return { result, commits: (await commits(api)) - before };
}

/** The real server on a fresh embedded store (DATABASE_URL removed), with no demo data and no bank simulator. */
export function formicaEnv(dataDir: string, token: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    FORMICA_DATA_DIR: dataDir,
    FORMICA_ADMIN_TOKEN: token,
    PORT: '0',
    HOST: '127.0.0.1',
    FORMICA_BANK_URL: UNUSED_BANK_URL,
    LOG_LEVEL: 'error',
  };
  delete env.DATABASE_URL;
  return env;
}

type Measured = { result: LoadResult; commits: number };

async function measureFormica(log: (text: string) => void): Promise<{ ledger: Measured; wallet: Measured; trade: Measured }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-http-'));
  const token = randomBytes(16).toString('hex');
  try {
    return await withServer(startServer('src/cli/main.ts', ['serve', '--no-demo'], formicaEnv(dataDir, token)), async (s) => {
      const api: Api = { url: s.url, token };
      log(`  setup: ${integer(HTTP_ACCOUNTS)} ledger accounts, funded`);
      await setupLedger(api);
      log('  ledger transfers');
      const ledger = await measured(api, () => runLoad(plan('ledger', s.url, '/v1/ledger/transfers', [token])));
      log(`  setup: ${WALLET_PAYERS} verified, funded payers and ${WALLET_PAYERS} payees`);
      const wallet = await setupWallet(api, WALLET_PAYERS);
      log('  wallet transfers');
      const walletRun = await measured(api, () => runLoad(plan('wallet', s.url, '/v1/wallet/transfers', wallet.tokens, wallet.payeePhones)));
      log(`  setup: a merchant app and ${integer(TRADE_REQUESTS)} signed payments with one-time paycodes`);
      const requestsFile = await setupTradePayments(api, wallet.tokens, TRADE_REQUESTS);
      log('  trade payments');
      const tradePlan = { ...plan('trade', s.url, TRADE_PATH), warmupSeconds: TRADE_WARMUP_SECONDS, measureSeconds: TRADE_MEASURE_SECONDS, requestsFile };
      const trade = await measured(api, () => runLoad(tradePlan));
      fs.rmSync(path.dirname(requestsFile), { recursive: true, force: true });
      return { ledger, wallet: walletRun, trade };
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function row(scenario: string, server: string, request: string, run: Measured, baseline: number): HttpRow {
  if (run.result.firstFailure) process.stderr.write(`  ${scenario}: first failure: ${run.result.firstFailure}\n`);
  const perSecond = successesPerSecond(run.result);
  const share = perSecond / baseline;
  const payments = run.result.ok2xx - run.result.bodyFailures;
  return {
    scenario,
    server,
    request,
    connections: HTTP_CONNECTIONS,
    result: run.result,
    perSecond,
    vsBaseline: `${(share * 100).toFixed(0)}% (${((share / 0.5) * 100).toFixed(0)}% of target)`,
    commitsPerPayment: payments > 0 ? run.commits / payments : null,
  };
}

function baselineRow(scenario: string, server: string, result: LoadResult, fastify: number): HttpRow {
  const perSecond = successesPerSecond(result);
  const vsBaseline = perSecond === fastify ? '100% (baseline)' : `${((perSecond / fastify) * 100).toFixed(0)}% of 5a`;
  return { scenario, server, request: 'POST 1 transfer, no store', connections: HTTP_CONNECTIONS, result, perSecond, vsBaseline, commitsPerPayment: null };
}

export async function httpRows(log: (text: string) => void): Promise<HttpRow[]> {
  log('  bare Fastify + zod endpoint');
  const bare = await measureBaseline('./http-bare.ts');
  const baseline = successesPerSecond(bare);
  log('  bare node:http endpoint');
  const bareNode = await measureBaseline('./http-bare-node.ts');
  const formica = await measureFormica(log);
  return [
    baselineRow('5a baseline', 'bare Fastify 5 + zod (validated)', bare, baseline),
    baselineRow("5a' floor", 'bare node:http (JSON.parse only)', bareNode, baseline),
    row('5b ledger payments', 'Formica, SQLite', 'POST /v1/ledger/transfers, 1 transfer', formica.ledger, baseline),
    row('5c wallet payments', 'Formica, SQLite', `POST /v1/wallet/transfers, ${WALLET_AMOUNT} CNY, ${WALLET_PAYERS} payers, no PIN`, formica.wallet, baseline),
    row(
      '5d trade payments',
      'Formica, SQLite',
      `POST ${TRADE_PATH} (signed), paycode, ${WALLET_AMOUNT} CNY, ${TRADE_MEASURE_SECONDS} s`,
      formica.trade,
      baseline,
    ),
  ];
}
