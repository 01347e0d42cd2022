// The fund's daily accrual survives SIGKILL: 100,000 holders with odd share counts, income published
// from the manager's CSV file by `formica fund accrue`, the process killed once it has paid its
// first batches; the same command run again resumes after the last committed batch, and a third
// run pays nothing. Every holder then holds exactly its shares plus its income for the day (nobody
// paid twice or skipped), the fund's income account keeps exactly the declared income less what
// was paid, and the ledger audit is clean. SQLite (a process of its own per run).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { fundIncomeAccountId, fundSharesAccountId } from '../src/modules/books/chart.ts';
import { shanghaiDate } from '../src/modules/fund/fund-calendar.ts';
import { accrue } from '../src/modules/fund/fund-income.ts';
import { plantHolders } from '../src/modules/fund/fund-test-support.ts';

const HOLDERS = 100_000;
const FUND = 'crash';
const R_E4 = 7_777n;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-fund-crash-'));
const incomeFile = path.join(dataDir, 'income.csv');
// A day already over on the wall clock the command runs on.
const date = shanghaiDate(Date.now() - 2 * 86_400_000);
const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'fund', 'accrue', '--date', date, '--income-file', incomeFile, '--data-dir', dataDir];
const env = { ...process.env, FORMICA_DATA_DIR: dataDir, DATABASE_URL: '' };
const holders = Array.from({ length: HOLDERS }, (_, i) => ({
  userId: `usr_crash_${String(i).padStart(6, '0')}`,
  sharesMinor: 101n + BigInt((i * 7_919) % 3_000_000),
}));

/** Runs the command and kills it with SIGKILL once it reports paid holders; answers how many it reported. */
function accrueUntilKilled(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, CLI, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let reported = 0;
    let err = '';
    child.stderr.on('data', (chunk) => {
      err += chunk;
      const paid = [...err.matchAll(/paid (\d+)\/\d+ holders/g)].map((m) => Number(m[1]));
      reported = Math.max(reported, ...paid);
      if (reported > 0 && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(reported) : reject(new Error(`not killed: exit ${code}\n${err}`))));
  });
}

describe('fund accrual under SIGKILL (sqlite)', () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('resumes an accrual killed mid-run and pays every holder exactly once', async () => {
    const setup = await createFormica({ dataDir, runJobs: false });
    await setup.fund.catalog.create({ fundId: FUND, name: 'Crash', manager: 'M', custodian: 'C', riskLevel: 1, dailyCapMinor: null }, Date.now());
    await plantHolders(setup, FUND, holders);
    await setup.close();
    fs.writeFileSync(incomeFile, `fund_id,date,income_per_10k\n${FUND},${date},0.7777\n`);

    const reportedAtKill = await accrueUntilKilled();
    expect(reportedAtKill).toBeGreaterThan(0);
    expect(reportedAtKill).toBeLessThan(HOLDERS);

    const expected = holders.map((h) => accrue(h.sharesMinor, R_E4, 0n).paidMinor);
    const paidTotal = expected.reduce((a, b) => a + b, 0n);
    const paidText = `${paidTotal / 100n}.${String(paidTotal % 100n).padStart(2, '0')}`;
    const summary = `${FUND} ${date}: ${HOLDERS} holders, paid ${paidText} shares`;
    const resumed = spawnSync(process.execPath, CLI, { env, encoding: 'utf8' });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(summary);
    const rerun = spawnSync(process.execPath, CLI, { env, encoding: 'utf8' });
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(summary);

    const after = await createFormica({ dataDir, runJobs: false });
    try {
      const net = async (id: string) => {
        const a = await after.store.getAccount(id);
        return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
      };
      const wrong: string[] = [];
      for (const [i, h] of holders.entries()) {
        if ((await net(fundSharesAccountId(FUND, h.userId))) !== h.sharesMinor + expected[i]) wrong.push(h.userId);
      }
      expect(wrong).toEqual([]);
      const income = await after.sql.get<{ declared_minor: bigint; paid_minor: bigint; paid_holders: bigint }>(
        'SELECT declared_minor, paid_minor, paid_holders FROM fund_incomes WHERE fund_id = ? AND date = ?',
        [FUND, date],
      );
      expect(income?.paid_minor).toBe(paidTotal);
      expect(income?.paid_holders).toBe(BigInt(HOLDERS));
      expect(await net(fundIncomeAccountId(FUND))).toBe(BigInt(income?.declared_minor ?? 0n) - paidTotal);
      expect((await verifyStore(after.store)).problems).toEqual([]);
    } finally {
      await after.close();
    }
  }, 240_000);
});
