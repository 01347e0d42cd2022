// The HTTP section of `npm run bench`: a bare Fastify + zod endpoint and the real Formica server,
// each in its own process, driven one after the other by a load worker in a third process, so
// the ratio of payments to the bare endpoint comes from one run on one machine.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runLoad, type ServerChild, startServer } from './http-children.ts';
import { type Api, setupLedger, setupWallet } from './http-setup.ts';
import { HTTP_ACCOUNTS, type LoadKind, type LoadPlan, type LoadResult, WALLET_AMOUNT } from './http-workload.ts';
import { integer } from './report.ts';

export const HTTP_CONNECTIONS = 50;
export const HTTP_WARMUP_SECONDS = 2;
export const HTTP_MEASURE_SECONDS = 8;
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
}

function plan(kind: LoadKind, url: string, route: string, tokens: readonly string[] = [], payeePhones: readonly string[] = []): LoadPlan {
  return { kind, url, path: route, connections: HTTP_CONNECTIONS, warmupSeconds: HTTP_WARMUP_SECONDS, measureSeconds: HTTP_MEASURE_SECONDS, tokens, payeePhones };
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

async function measureBaseline(): Promise<LoadResult> {
  const script = new URL('./http-bare.ts', import.meta.url).pathname;
  return withServer(startServer(script, [], process.env), (s) => runLoad(plan('bare', s.url, '/bare/transfers')));
}

/** The real server on a fresh embedded store (DATABASE_URL removed), with no demo data and no bank simulator. */
function formicaEnv(dataDir: string, token: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: token, PORT: '0', HOST: '127.0.0.1', FORMICA_BANK_URL: UNUSED_BANK_URL, LOG_LEVEL: 'error' };
  delete env.DATABASE_URL;
  return env;
}

async function measureFormica(log: (text: string) => void): Promise<{ ledger: LoadResult; wallet: LoadResult }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-http-'));
  const token = randomBytes(16).toString('hex');
  try {
    return await withServer(startServer('src/cli/main.ts', ['serve', '--no-demo'], formicaEnv(dataDir, token)), async (s) => {
      const api: Api = { url: s.url, token };
      log(`  setup: ${integer(HTTP_ACCOUNTS)} ledger accounts, funded`);
      await setupLedger(api);
      log('  ledger transfers');
      const ledger = await runLoad(plan('ledger', s.url, '/v1/ledger/transfers', [token]));
      log(`  setup: ${WALLET_PAYERS} verified, funded payers and ${WALLET_PAYERS} payees`);
      const wallet = await setupWallet(api, WALLET_PAYERS);
      log('  wallet transfers');
      return { ledger, wallet: await runLoad(plan('wallet', s.url, '/v1/wallet/transfers', wallet.tokens, wallet.payeePhones)) };
    });
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function row(scenario: string, server: string, request: string, result: LoadResult, baseline: number): HttpRow {
  const perSecond = successesPerSecond(result);
  const share = perSecond / baseline;
  return { scenario, server, request, connections: HTTP_CONNECTIONS, result, perSecond, vsBaseline: `${(share * 100).toFixed(0)}% (${((share / 0.5) * 100).toFixed(0)}% of target)` };
}

export async function httpRows(log: (text: string) => void): Promise<HttpRow[]> {
  log('  bare Fastify + zod endpoint');
  const bare = await measureBaseline();
  const baseline = successesPerSecond(bare);
  const formica = await measureFormica(log);
  return [
    { scenario: '5a baseline', server: 'bare Fastify 5 + zod', request: 'POST 1 transfer, validated, no store', connections: HTTP_CONNECTIONS, result: bare, perSecond: baseline, vsBaseline: '100% (baseline)' },
    row('5b ledger payments', 'Formica, SQLite', 'POST /v1/ledger/transfers, 1 transfer', formica.ledger, baseline),
    row('5c wallet payments', 'Formica, SQLite', `POST /v1/wallet/transfers, ${WALLET_AMOUNT} CNY, ${WALLET_PAYERS} payers, no PIN`, formica.wallet, baseline),
  ];
}
