// The fund section of `npm run bench` (`npm run bench -- fund` runs it alone): the fund's daily
// income run at scale. For each size a fresh embedded store, one fund, that many
// confirmed holders with odd share counts (planted on the ledger), a published day, then the
// accrual timed end to end (the declaration, every batch of payouts, the carry rows). Each row
// checks every fen: the holders paid, plus what stays on the fund's income account, is the
// declared income. Planting is not timed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { fundIncomeAccountId } from '../src/modules/books/chart.ts';
import { ACCRUAL_BATCH } from '../src/modules/fund/fund-accrual.ts';
import { startOfShanghaiDay } from '../src/modules/fund/fund-calendar.ts';
import { plantHolders } from '../src/modules/fund/fund-test-support.ts';
import { formatTable, integer, type Row } from './report.ts';

export const FUND_HOLDER_SIZES = [100_000, 1_000_000];
/** The issue's target: 1,000,000 holders in under 30 s. */
const TARGET_SECONDS_PER_MILLION = 30;
const DATE = '2026-06-04';
/** CNY 0.6543 per 10,000 shares: about 2.4% a year. */
const INCOME_PER_10K_E4 = 6_543n;
const FUND_ID = 'bench';

/** Odd share counts from 1.00 to about 100,000.00, so every holder carries a fraction. */
const sharesOf = (i: number) => 100n + BigInt((i * 7_919 + 13) % 10_000_000);

async function accrueOnce(holders: number, log: (text: string) => void): Promise<{ seconds: number; ok: boolean; detail: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-fund-'));
  const clock = new ManualClock(startOfShanghaiDay('2026-06-05') + 10 * 3_600_000);
  const app = await createFormica({ dataDir, clock, runJobs: false });
  try {
    await app.fund.catalog.create({ fundId: FUND_ID, name: 'bench', manager: 'm', custodian: 'c', riskLevel: 1, dailyCapMinor: null }, clock.now());
    const planted = Array.from({ length: holders }, (_, i) => ({ userId: `usr_${String(i).padStart(7, '0')}`, sharesMinor: sharesOf(i) }));
    await plantHolders(app, FUND_ID, planted);
    log(`  planted ${integer(holders)} holders; accruing`);
    await app.fund.publishIncome(FUND_ID, DATE, INCOME_PER_10K_E4);
    const started = performance.now();
    const result = await app.fund.accrue(FUND_ID, DATE);
    const seconds = (performance.now() - started) / 1000;
    const income = await app.store.getAccount(fundIncomeAccountId(FUND_ID));
    const left = (income?.creditsPosted ?? 0n) - (income?.debitsPosted ?? 0n);
    const declared = await app.sql.get<{ declared_minor: bigint }>('SELECT declared_minor FROM fund_incomes WHERE fund_id = ? AND date = ?', [FUND_ID, DATE]);
    const ok = result.holders === BigInt(holders) && result.paidMinor + left === BigInt(declared?.declared_minor ?? -1n);
    return { seconds, ok, detail: `paid ${result.paidMinor} + kept ${left} = declared ${declared?.declared_minor} fen` };
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One row per size: holders paid per second and the time per holder (flat when the run is linear). */
export async function fundAccrualRows(log: (text: string) => void, sizes = FUND_HOLDER_SIZES): Promise<Row[]> {
  const rows: Row[] = [];
  for (const holders of sizes) {
    log(`fund accrual, ${integer(holders)} holders`);
    const run = await accrueOnce(holders, log);
    const targetSeconds = (TARGET_SECONDS_PER_MILLION * holders) / 1_000_000;
    rows.push({
      scenario: `fund accrual ${integer(holders)} holders (${((run.seconds * 1e6) / holders).toFixed(1)} µs/holder, ${run.seconds.toFixed(1)} s)`,
      store: 'SQLite (embedded)',
      durability: 'WAL fsynced before ack',
      batch: `${integer(ACCRUAL_BATCH)} payouts/step`,
      concurrency: '1',
      accounts: integer(holders),
      distribution: `odd shares; ${run.ok ? 'every fen checked' : `CHECK FAILED: ${run.detail}`}`,
      result: { transfers: holders, seconds: run.seconds, perSecond: holders / run.seconds, p50Ms: null, p99Ms: null, failed: run.ok ? 0 : holders },
      target: `< ${targetSeconds} s`,
      vsTarget: `${((targetSeconds / run.seconds) * 100).toFixed(0)}%`,
    });
    if (!run.ok) process.exitCode = 1;
  }
  return rows;
}

/** The section as printed: the rows and how they were measured. */
export async function fundSection(log: (text: string) => void): Promise<string> {
  const rows = await fundAccrualRows(log);
  return (
    `${formatTable(rows)}\n\nFund rows time \`accrue\` for one published day end to end on a fresh embedded store: the ` +
    'declaration, then steps of payouts (each: the batch of carry rows updated in one statement, one ledger batch, one ' +
    'commit; two steps in flight), the account-index catch-up included. Holders are planted first with odd share ' +
    'counts (1.00 to 100,000.99), not timed; one transfer per holder. transfers/s is holders paid per second; the ' +
    'target is 1,000,000 holders in under 30 s, pro rata for smaller sizes.'
  );
}
