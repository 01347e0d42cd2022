// `npm run bench`: the ledger's throughput targets on this machine, printed as one table with the
// conditions of every row. Benchmarks report; they never fail on a target.
import os from 'node:os';
import { MAX_BATCH_EVENTS } from '../src/ledger/index.ts';
import { double11 } from './double11/run.ts';
import type { SqliteLayout } from '../src/store/sqlite/sqlite-store.ts';
import { type Fixture, sqliteFixture } from './fixture.ts';
import { fundSection } from './fund-accrual.ts';
import { postgresFixture, postgresSkipReason } from './postgres.ts';
import { HTTP_CONNECTIONS, HTTP_MEASURE_SECONDS, HTTP_WARMUP_SECONDS, httpRows } from './http.ts';
import { formatHttpTable, formatTable, integer, type Row, ratio } from './report.ts';
import { socialSection } from './social.ts';
import { type Measurement, runBatches, runConcurrent, type Timing } from './scenarios.ts';
import { ACCOUNT_COUNT, DISTRIBUTION_LABEL, type Distribution, workload } from './workload.ts';

const CALLERS = 10_000;
const BATCH_TIMING: Timing = { warmupMs: 1_000, measureMs: 6_000 };
const CONCURRENT_TIMING: Timing = { warmupMs: 2_000, measureMs: 8_000 };
const SQLITE_DURABILITY = 'WAL fsynced before ack';

interface Plan {
  readonly store: 'sqlite' | 'postgres';
  readonly mode: 'batch' | 'concurrent';
  readonly distribution: Distribution;
  /** Closed-loop callers of a concurrent row; CALLERS when not given. */
  readonly callers?: number;
  /** The store's layout; `tables` when not given. */
  readonly layout?: SqliteLayout;
}

async function measure(plan: Plan): Promise<Measurement> {
  const load = workload(plan.distribution);
  const fx: Fixture = plan.store === 'sqlite' ? await sqliteFixture(load, undefined, plan.layout) : await postgresFixture(load, plan.layout);
  try {
    return plan.mode === 'batch' ? await runBatches(fx, load, BATCH_TIMING) : await runConcurrent(fx, load, plan.callers ?? CALLERS, CONCURRENT_TIMING);
  } finally {
    await fx.dispose();
  }
}

function conditions(plan: Plan): Omit<Row, 'scenario' | 'result' | 'target' | 'vsTarget'> {
  return {
    store: plan.store === 'postgres' ? `PostgreSQL (${plan.layout ?? 'tables'} layout)` : `SQLite (embedded, ${plan.layout ?? 'tables'} layout)`,
    durability: plan.store === 'sqlite' ? SQLITE_DURABILITY : 'synchronous_commit=on',
    batch: plan.mode === 'batch' ? `${MAX_BATCH_EVENTS}/call` : `1/call, group commit <= ${MAX_BATCH_EVENTS}`,
    concurrency: plan.mode === 'batch' ? '1' : integer(plan.callers ?? CALLERS),
    accounts: integer(ACCOUNT_COUNT),
    distribution: DISTRIBUTION_LABEL[plan.distribution],
  };
}

function throughputRow(scenario: string, plan: Plan, m: Measurement, target: number, p99Target?: number): Row {
  let vsTarget = ratio(m.perSecond, target);
  if (p99Target !== undefined && m.p99Ms !== null) vsTarget += `; p99 ${(m.p99Ms / p99Target).toFixed(1)}x the limit`;
  const targetText = `>= ${integer(target)}/s` + (p99Target !== undefined ? `, p99 <= ${p99Target} ms` : '');
  return { scenario, ...conditions(plan), result: m, target: targetText, vsTarget };
}

function hotRow(scenario: string, plan: Plan, hot: Measurement, uniform: Measurement): Row {
  const share = hot.perSecond / uniform.perSecond;
  return {
    scenario: `${scenario} (hot/uniform ${(share * 100).toFixed(0)}%)`,
    ...conditions(plan),
    result: hot,
    target: '>= 70% of uniform',
    vsTarget: ratio(share, 0.7),
  };
}

/** `npm run bench -- http` runs the HTTP section alone. */
async function httpOnly(log: (text: string) => void): Promise<void> {
  log('HTTP: bare Fastify + zod, bare node:http, then Formica (ledger and wallet payments), load from a separate process');
  console.log(formatHttpTable(await httpRows(log)));
  console.log(httpNote());
}

/** `npm run bench -- social` runs the red packet and campaign rows alone. */
async function socialOnly(log: (text: string) => void): Promise<void> {
  log('Social: red packet opens in process and over HTTP, the campaign reveal at 100,000 and 1,000,000 winners');
  console.log(await socialSection(log));
}

/** `npm run bench -- fund` runs the fund's accrual rows alone. */
async function fundOnly(log: (text: string) => void): Promise<void> {
  log('Fund: the daily income accrual at 100,000 and 1,000,000 holders');
  console.log(await fundSection(log));
}

const PG_SKIP_TARGETS = { batch: '>= 100,000/s', concurrent: '>= 50,000/s' } as const;

/** A PostgreSQL row, or the reason it cannot run here. */
async function postgresRow(scenario: string, plan: Plan): Promise<Row> {
  const skip = postgresSkipReason();
  if (skip) return { scenario, ...conditions(plan), result: null, target: PG_SKIP_TARGETS[plan.mode], vsTarget: `skipped: ${skip}` };
  return throughputRow(scenario, plan, await measure(plan), plan.mode === 'batch' ? 100_000 : 50_000);
}

/** `npm run bench -- postgres` runs the PostgreSQL rows and the SQLite group commit at 1,000 callers alone. */
async function postgresOnly(log: (text: string) => void): Promise<void> {
  const rows: Row[] = [];
  log('1/3 PostgreSQL, batches of 8189, uniform, both layouts');
  rows.push(await postgresRow('3a batched', PG_BATCH));
  rows.push(await postgresRow('3aL batched (log)', PG_LOG_BATCH));
  log('2/3 PostgreSQL, 10,000 concurrent callers, uniform, both layouts');
  rows.push(await postgresRow('3b group commit', PG_CONCURRENT));
  rows.push(await postgresRow('3bL group commit (log)', PG_LOG_CONCURRENT));
  log('3/3 SQLite, 1,000 concurrent callers, uniform');
  rows.push(throughputRow('2b group commit, 1,000 callers', SQLITE_THOUSAND, await measure(SQLITE_THOUSAND), 120_000, 20));
  console.log(formatTable(rows));
}

const PG_BATCH: Plan = { store: 'postgres', mode: 'batch', distribution: 'uniform' };
const PG_CONCURRENT: Plan = { store: 'postgres', mode: 'concurrent', distribution: 'uniform' };
const PG_LOG_BATCH: Plan = { ...PG_BATCH, layout: 'log' };
const PG_LOG_CONCURRENT: Plan = { ...PG_CONCURRENT, layout: 'log' };
const SQLITE_THOUSAND: Plan = { store: 'sqlite', mode: 'concurrent', distribution: 'uniform', callers: 1_000 };
const SQLITE_BATCH: Plan = { store: 'sqlite', mode: 'batch', distribution: 'uniform' };
const SQLITE_CONCURRENT: Plan = { store: 'sqlite', mode: 'concurrent', distribution: 'uniform' };
const SQLITE_LOG_BATCH: Plan = { ...SQLITE_BATCH, layout: 'log' };
const SQLITE_LOG_CONCURRENT: Plan = { ...SQLITE_CONCURRENT, layout: 'log' };
const SQLITE_LOG_THOUSAND: Plan = { ...SQLITE_THOUSAND, layout: 'log' };

/** `npm run bench -- log` runs the SQLite uniform rows in both layouts alone, each tables row beside its log row. */
async function logOnly(log: (text: string) => void): Promise<void> {
  const rows: Row[] = [];
  const plans: [string, Plan, number, number?][] = [
    ['1 batched', SQLITE_BATCH, 250_000],
    ['1L batched (log)', SQLITE_LOG_BATCH, 250_000],
    ['2 group commit', SQLITE_CONCURRENT, 120_000, 20],
    ['2L group commit (log)', SQLITE_LOG_CONCURRENT, 120_000, 20],
    ['2b group commit, 1,000 callers', SQLITE_THOUSAND, 120_000, 20],
    ['2bL group commit, 1,000 callers (log)', SQLITE_LOG_THOUSAND, 120_000, 20],
  ];
  for (const [i, [scenario, plan, target, p99]] of plans.entries()) {
    log(`${i + 1}/${plans.length} ${scenario}`);
    rows.push(throughputRow(scenario, plan, await measure(plan), target, p99));
  }
  console.log(formatTable(rows));
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const log = (text: string) => process.stderr.write(`${text}\n`);
  if (process.argv.includes('http')) return httpOnly(log);
  if (process.argv.includes('double11')) return double11(process.argv, log);
  if (process.argv.includes('social')) return socialOnly(log);
  if (process.argv.includes('fund')) return fundOnly(log);
  if (process.argv.includes('postgres')) return postgresOnly(log);
  if (process.argv.includes('log')) return logOnly(log);
  const sqliteBatch = SQLITE_BATCH;
  const sqliteConcurrent = SQLITE_CONCURRENT;

  log('1/7 SQLite, batches of 8189, uniform');
  const batchUniform = await measure(sqliteBatch);
  rows.push(throughputRow('1 batched', sqliteBatch, batchUniform, 250_000));
  rows.push(throughputRow('1L batched (log)', SQLITE_LOG_BATCH, await measure(SQLITE_LOG_BATCH), 250_000));

  log('2/7 SQLite, 10,000 concurrent callers, uniform');
  const concUniform = await measure(sqliteConcurrent);
  rows.push(throughputRow('2 group commit', sqliteConcurrent, concUniform, 120_000, 20));
  rows.push(throughputRow('2L group commit (log)', SQLITE_LOG_CONCURRENT, await measure(SQLITE_LOG_CONCURRENT), 120_000, 20));

  log('2b/7 SQLite, 1,000 concurrent callers, uniform');
  rows.push(throughputRow('2b group commit, 1,000 callers', SQLITE_THOUSAND, await measure(SQLITE_THOUSAND), 120_000, 20));
  rows.push(throughputRow('2bL group commit, 1,000 callers (log)', SQLITE_LOG_THOUSAND, await measure(SQLITE_LOG_THOUSAND), 120_000, 20));

  log('3/7 PostgreSQL, batches of 8189, then 10,000 concurrent callers, uniform');
  rows.push(await postgresRow('3a batched', PG_BATCH));
  rows.push(await postgresRow('3aL batched (log)', PG_LOG_BATCH));
  rows.push(await postgresRow('3b group commit', PG_CONCURRENT));
  rows.push(await postgresRow('3bL group commit (log)', PG_LOG_CONCURRENT));

  log('4/7 SQLite, batches of 8189, hot account');
  const batchHotPlan: Plan = { ...sqliteBatch, distribution: 'hot' };
  rows.push(hotRow('4a hot, batched', batchHotPlan, await measure(batchHotPlan), batchUniform));

  log('5/7 SQLite, 10,000 concurrent callers, hot account');
  const concHotPlan: Plan = { ...sqliteConcurrent, distribution: 'hot' };
  rows.push(hotRow('4b hot, group commit', concHotPlan, await measure(concHotPlan), concUniform));

  log('6/7 HTTP: bare Fastify + zod, then Formica (ledger and wallet payments), load from a separate process');
  const http = await httpRows(log);

  log('7/7 Social: red packet opens in process and over HTTP, the campaign reveal at 100,000 and 1,000,000 winners');
  const social = await socialSection(log);

  log('Fund: the daily income accrual at 100,000 and 1,000,000 holders');
  const fund = await fundSection(log);

  console.log(formatTable(rows));
  console.log(
    `\n${os.cpus().length} cores, Node.js ${process.version}. Batched rows time the createTransfers calls ` +
      `(warm-up ${BATCH_TIMING.warmupMs / 1000} s, then ${BATCH_TIMING.measureMs / 1000} s of calls); group-commit rows run ` +
      `${CALLERS} closed-loop callers (warm-up ${CONCURRENT_TIMING.warmupMs / 1000} s, measured ${CONCURRENT_TIMING.measureMs / 1000} s). ` +
      'SQLite rows include the account-index catch-up passes run in the window and a final one, so every measured ' +
      'transfer is indexed when the window closes. ' +
      'Fresh store and 10,000 accounts per row; ulid (time-ordered) ids; latency is per createTransfers call.',
  );
  console.log(
    `Little's law for row 2: ${integer(CALLERS)} closed-loop callers at ${integer(concUniform.perSecond)}/s wait ` +
      `${((CALLERS / concUniform.perSecond) * 1000).toFixed(0)} ms on average; a p99 of 20 ms with ${integer(CALLERS)} callers ` +
      `needs more than ${integer(CALLERS / 0.02)}/s.`,
  );
  console.log(`\n${formatHttpTable(http)}`);
  console.log(httpNote());
  console.log(`\n${social}`);
  console.log(`\n${fund}`);
}

function httpNote(): string {
  return (
    `\nHTTP rows measure payments per second over HTTP/1.1 keep-alive on loopback: autocannon in its own process, ` +
    `${HTTP_CONNECTIONS} connections, one request in flight per connection, warm-up ${HTTP_WARMUP_SECONDS} s then ${HTTP_MEASURE_SECONDS} s measured, ` +
    'on the same cores as the server. ok/s counts only 2xx answers whose body is a success (ledger result ok, wallet ' +
    'status completed); non-2xx, 2xx-not-ok and socket errors are shown apart. Every request carries a fresh ulid. ' +
    'Baseline: a bare Fastify 5 endpoint with the zod type provider validating the same single-transfer body as ' +
    "Formica's ledger route, no store. Formica: `formica serve --no-demo`, its own process, embedded SQLite " +
    '(the WAL fsynced on the thread pool before each answer), operator token; ledger rows over 10,000 accounts (debits_must_not_exceed_credits, ' +
    'funded by one setup batch), uniform; wallet rows: 50 level III payers (in-person, funded by adjustment, one ' +
    'session each, one-factor so no scrypt per payment) round-robin, each paying its own payee 0.01 CNY. ' +
    "Trade row: the official v3 route a till uses, alipay.trade.pay with the buyer's one-time paycode, each request " +
    'signed by a fresh 2048-bit merchant key before the run (1 s warm-up, 4 s measured, since paycodes are used up). ' +
    'Target: >= 50% of the baseline measured in this run.'
  );
}

await main();
