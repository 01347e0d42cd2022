// `formica credit train | score | simulate` as a user runs them, on a CSV table written to disk; and
// `formica credit bureau` on a data directory where a loan was lent and repaid.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, it } from 'vitest';
import { creditFixture } from '../src/modules/credit/credit-test-support.ts';
import { cohort, cohortTable } from '../src/modules/credit/simulator/simulate.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-credit-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function formica(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'credit', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '' },
  });
}

function writeCsv(file: string, columns: readonly string[], rows: readonly (readonly string[])[]) {
  fs.writeFileSync(file, [columns, ...rows].map((r) => r.join(',')).join('\n') + '\n');
}

describe('formica credit', () => {
  const table = cohortTable(cohort('merchant', 3000, 5, 'train', () => {}));
  const data = path.join(dir, 'merchants.csv');
  const model = path.join(dir, 'model.json');
  writeCsv(data, table.columns, table.rows);

  it('trains a versioned model and prints the held-out AUC, KS and Gini', () => {
    const run = formica('train', '--data', data, '--label', 'defaulted', '--out', model, '--seed', '9');
    expect(run.status, run.stderr).toBe(0);
    const written = JSON.parse(fs.readFileSync(model, 'utf8'));
    expect(run.stdout).toContain(`model ${written.version}:`);
    expect(run.stdout).toMatch(/held-out AUC 0\.\d{4} {2}KS 0\.\d{4} {2}Gini 0\.\d{4}/);
    expect(written.holdout.auc).toBeGreaterThan(0.7);
  });

  it('scores a table without the label: one CSV line per row, numbered from 1', () => {
    const unlabelled = path.join(dir, 'applicants.csv');
    writeCsv(
      unlabelled,
      table.columns.slice(0, -1),
      table.rows.slice(0, 5).map((r) => r.slice(0, -1)),
    );
    const run = formica('score', '--model', model, '--data', unlabelled);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('row,score,band,factor_1,factor_2,factor_3');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['1', '2', '3', '4', '5']);
    for (const line of lines.slice(1)) {
      const [, score, band, ...factors] = line.split(',');
      expect(Number(score)).toBeGreaterThanOrEqual(350);
      expect(Number(score)).toBeLessThanOrEqual(950);
      expect(['none', 'small', 'standard', 'best']).toContain(band);
      for (const factor of factors) expect(factor).toMatch(/^[a-z_]+:[+-]?\d+$/);
    }
  });

  it('refuses a model file whose content was altered', () => {
    const altered = path.join(dir, 'altered.json');
    fs.writeFileSync(altered, fs.readFileSync(model, 'utf8').replace('"seed": 9', '"seed": 10'));
    const run = formica('score', '--model', altered, '--data', data);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('model file altered');
  });

  it('simulates a portfolio and prints AUC, KS, bands and the trade-off', () => {
    const run = formica('simulate', '--merchants', '1000', '--buyers', '1000', '--seed', '4');
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/merchants: .*\n {2}backtest on 1000 new borrowers, default rate [\d.]+%: AUC 0\.\d{4} {2}KS 0\.\d{4}/);
    expect(run.stdout).toContain('cut-off  approved  default rate  loss rate');
    expect(run.stdout).toMatch(/book NPL ratio at the 550 cut-off: merchants [\d.]+%, buyers [\d.]+%; commercial banks' average 1\.74%/);
  });
});

describe('formica credit bureau', () => {
  it("writes a closed month's report, one CSV line per borrower, and refuses a bad month", async () => {
    // Lent and repaid in January 2026 on a store of its own; the CLI reads the same data directory.
    const f = await creditFixture('sqlite', Date.UTC(2026, 0, 5, 2));
    const user = await f.borrower(500_000n);
    await f.app.credit.apply(user, { product: 'short', amount: 100_000n, days: 10, requestId: 'cli-1' });
    await f.passDays(10);
    const dataDir = f.dataDir;
    await f.app.close();
    const out = path.join(dir, 'bureau-2026-01.csv');
    const run = formica('bureau', '--month', '2026-01', '--out', out, '--data-dir', dataDir);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`credit bureau 2026-01: 1 borrower(s) written to ${out}`);
    expect(parse(fs.readFileSync(out, 'utf8'), { columns: true })).toEqual([
      {
        month: '2026-01',
        borrower_type: 'person',
        borrower_id: user,
        products: 'loan',
        disbursed_in_month: '1000.00',
        repaid_in_month: '1004.00',
        outstanding_principal: '0.00',
        overdue_amount: '0.00',
        days_past_due: '0',
        bucket: 'current',
        written_off: '0.00',
        status: 'closed',
      },
    ]);
    const bad = formica('bureau', '--month', '2026-13', '--out', out, '--data-dir', dataDir);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('a month is YYYY-MM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);
});
