// The load worker of the red packet HTTP row, run as its own process
// (`node --import tsx bench/social-load.ts '<plan>'`) so it never shares the server's event loop:
// autocannon sends a fixed number of opens through `connections` keep-alive sockets, each request
// as the next member (round robin), and prints one JSON line: the time and the answers by status.
import { createRequire } from 'node:module';

export interface OpenLoadPlan {
  readonly url: string;
  readonly path: string;
  readonly connections: number;
  /** Opens to send in all. */
  readonly amount: number;
  /** The members' session tokens, one per opener identity. */
  readonly tokens: readonly string[];
}

export interface OpenLoadResult {
  readonly seconds: number;
  /** HTTP status -> answers. */
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface RawRequest {
  headers: Record<string, string>;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number };
}

type Autocannon = (options: {
  url: string;
  connections: number;
  amount: number;
  timeout: number;
  method: 'POST';
  requests: { setupRequest: (req: RawRequest) => RawRequest; onResponse: (status: number) => void }[];
}) => Promise<AutocannonResult>;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as OpenLoadPlan;
  const statuses: Record<string, number> = {};
  let next = 0;
  const r = await autocannon({
    url: plan.url + plan.path,
    connections: plan.connections,
    amount: plan.amount,
    timeout: 30,
    method: 'POST',
    requests: [
      {
        setupRequest: (req) => {
          req.headers = { ...req.headers, authorization: `Bearer ${plan.tokens[next++ % plan.tokens.length]}` };
          return req;
        },
        onResponse: (status) => {
          statuses[status] = (statuses[status] ?? 0) + 1;
        },
      },
    ],
  });
  const result: OpenLoadResult = { seconds: r.duration, statuses, errors: r.errors + r.timeouts, p50Ms: r.latency.p50, p99Ms: r.latency.p99 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) await main();
