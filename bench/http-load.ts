// The HTTP load generator, run as its own process (`node --import tsx bench/http-load.ts '<plan>'`)
// so it never shares the server's event loop: autocannon, keep-alive, a warm-up run and then a
// measured run; prints one JSON LoadResult line. A 2xx whose body is not a success is counted apart.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { type LoadPlan, type LoadResult, ledgerTransferBody, walletTransferBody } from './http-workload.ts';

interface RawRequest {
  headers: Record<string, string>;
  body?: string;
}

interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  timeout: number;
  method: 'POST';
  headers: Record<string, string>;
  requests: {
    setupRequest: (req: RawRequest) => RawRequest;
    onResponse: (status: number, body: string) => void;
  }[];
}

interface AutocannonResult {
  duration: number;
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
  requests: { total: number };
}

const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => Promise<AutocannonResult>;

interface Tally {
  bodyFailures: number;
  firstFailure: string | null;
}

/** Builds each request's body (and, for the wallet, its payer's session) just before it is sent. */
function setup(plan: LoadPlan): (req: RawRequest) => RawRequest {
  let next = 0;
  if (plan.kind === 'trade') {
    // Each prepared request carries a one-time paycode: past the last one, requests repeat and fail.
    const prepared = fs
      .readFileSync(plan.requestsFile ?? '', 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RawRequest);
    return (req) => {
      const signed = prepared[Math.min(next++, prepared.length - 1)];
      req.headers = { ...req.headers, ...signed.headers };
      req.body = signed.body;
      return req;
    };
  }
  if (plan.kind === 'wallet') {
    return (req) => {
      const i = next++ % plan.tokens.length;
      req.headers = { ...req.headers, authorization: `Bearer ${plan.tokens[i]}` };
      req.body = walletTransferBody(plan.payeePhones[i]);
      return req;
    };
  }
  return (req) => {
    req.body = ledgerTransferBody();
    return req;
  };
}

/** Is a 2xx body a success: every ledger result `ok`, the wallet transfer `completed`. */
function succeeded(kind: LoadPlan['kind'], body: string): boolean {
  const parsed = JSON.parse(body) as { results?: { result: string }[]; status?: string; trade_status?: string };
  if (kind === 'wallet') return parsed.status === 'completed';
  if (kind === 'trade') return parsed.trade_status === 'TRADE_SUCCESS';
  return parsed.results?.every((r) => r.result === 'ok') ?? false;
}

async function run(plan: LoadPlan, seconds: number, tally: Tally, nextRequest: (req: RawRequest) => RawRequest): Promise<AutocannonResult> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (plan.kind === 'ledger') headers.authorization = `Bearer ${plan.tokens[0]}`;
  return autocannon({
    url: plan.url + plan.path,
    connections: plan.connections,
    duration: seconds,
    timeout: 10,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: nextRequest,
        onResponse: (status, body) => {
          if (status < 200 || status > 299) {
            tally.firstFailure ??= `${status} ${body.slice(0, 300)}`;
            return;
          }
          if (succeeded(plan.kind, body)) return;
          tally.bodyFailures++;
          tally.firstFailure ??= body.slice(0, 300);
        },
      },
    ],
  });
}

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  // One request source for both runs: prepared one-time requests are not sent again after the warm-up.
  const nextRequest = setup(plan);
  await run(plan, plan.warmupSeconds, { bodyFailures: 0, firstFailure: null }, nextRequest);
  const tally: Tally = { bodyFailures: 0, firstFailure: null };
  const r = await run(plan, plan.measureSeconds, tally, nextRequest);
  const result: LoadResult = {
    seconds: r.duration,
    responses: r.requests.total,
    ok2xx: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    ...tally,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
