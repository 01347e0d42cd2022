// The scorecard on a synthetic table with a known signal: it must find the signal about as well as the
// true default probability does, ignore a noise column, and train the same model from the same seed.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../sim/bank/random.ts';
import { explainFactor } from './explain.ts';
import { sigmoid } from './logistic.ts';
import { discrimination } from './metrics.ts';
import { scoreRow, topFactors } from './score.ts';
import { scoreTableCsv } from './score-table.ts';
import { parseScorecard } from './scorecard-model.ts';
import { parseCsvTable, type Table } from './table.ts';
import { stratifiedSplit, trainScorecard } from './train.ts';

const REGIONS = ['north', 'south', 'east', 'west'];
const REGION_RISK: Record<string, number> = { north: -0.6, south: 0.9, east: 0, west: 0.3 };

/** Rows whose default probability is a known function of `sales` and `region`; `noise` carries none. */
function syntheticTable(rows: number, seed: number): { table: Table; truth: number[] } {
  const random = seededRandom(seed);
  const truth: number[] = [];
  const lines: string[][] = [];
  for (let i = 0; i < rows; i++) {
    const sales = Math.round(random.next() * 10_000);
    const region = REGIONS[Math.floor(random.next() * REGIONS.length)];
    const noise = (random.next() * 100).toFixed(2);
    const p = sigmoid(-1.2 - sales / 2500 + REGION_RISK[region]);
    truth.push(p);
    const missing = random.next() < 0.03;
    lines.push([`m${i}`, missing ? '' : String(sales), region, noise, random.next() < p ? '1' : '0']);
  }
  return { table: { columns: ['id', 'sales', 'region', 'noise', 'defaulted'], rows: lines }, truth };
}

describe('trainScorecard', () => {
  const { table, truth } = syntheticTable(6000, 7);
  const model = trainScorecard(table, { label: 'defaulted', seed: 42 });

  it('recovers the hidden signal about as well as the true probability does', () => {
    const labels = table.rows.map((row) => Number(row[4]));
    const { holdout } = stratifiedSplit(labels, 0.3, 42);
    const oracle = discrimination(
      holdout.map((i) => truth[i]),
      holdout.map((i) => labels[i]),
    );
    expect(oracle.auc).toBeGreaterThan(0.7);
    expect(model.holdout.auc).toBeGreaterThan(oracle.auc - 0.03);
    expect(model.holdout.ks).toBeGreaterThan(oracle.ks - 0.06);
    expect(model.holdout.gini).toBeCloseTo(2 * model.holdout.auc - 1, 12);
    expect(model.features.map((f) => f.name).sort()).toEqual(['region', 'sales']);
    expect(model.dropped.map((d) => d.name).sort()).toEqual(['id', 'noise']);
  });

  it('puts every possible row between 350 and 950 with the extremes reachable', () => {
    const best = model.features.reduce((sum, f) => sum + Math.max(...f.bins.map((b) => b.points)), 350);
    const worst = model.features.reduce((sum, f) => sum + Math.min(...f.bins.map((b) => b.points)), 350);
    expect(best).toBeCloseTo(950, 9);
    expect(worst).toBeCloseTo(350, 9);
    const safe = scoreRow(model, (c) => ({ sales: '9999', region: 'north' })[c]);
    const risky = scoreRow(model, (c) => ({ sales: '10', region: 'south' })[c]);
    expect(safe.score).toBeGreaterThan(risky.score);
    expect(safe.band).toBe('best');
    expect(risky.band).toBe('none');
  });

  it('trains the same model from the same seed and a different split from another', () => {
    const again = trainScorecard(table, { label: 'defaulted', seed: 42 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(model));
    expect(trainScorecard(table, { label: 'defaulted', seed: 43 }).version).not.toBe(model.version);
  });

  it('round-trips through the model file and refuses an altered one', () => {
    const text = JSON.stringify(model);
    expect(parseScorecard(text).version).toBe(model.version);
    const altered = text.replace(`"intercept":${model.intercept}`, `"intercept":${model.intercept + 1}`);
    expect(() => parseScorecard(altered)).toThrow(/altered/);
  });

  it('explains the top factors in plain words, in Chinese and English', () => {
    const result = scoreRow(model, (c) => ({ sales: '200', region: 'south' })[c]);
    const [first] = topFactors(result, 1);
    expect(first.effect).toBeLessThan(0);
    expect(explainFactor(first, 'en')).toMatch(/lowered your score by \d+ points?\./);
    expect(explainFactor(first, 'zh')).toMatch(/使评分降低 \d+ 分。/);
    expect(explainFactor({ ...first, value: '', effect: 12 }, 'en')).toMatch(/^No .* on record raised your score by 12 points\.$/);
  });

  it('scores a CSV without the label column, numbering rows from 1', () => {
    const csv = 'region,sales\nnorth,9000\nsouth,\n';
    const out = scoreTableCsv(model, parseCsvTable(csv)).trim().split('\n');
    expect(out[0]).toBe('row,score,band,factor_1,factor_2,factor_3');
    expect(out).toHaveLength(3);
    expect(out[1]).toMatch(/^1,\d{3},\w+,(sales|region):[+-]?\d+,(sales|region):[+-]?\d+,$/);
    expect(out[2].startsWith('2,')).toBe(true);
  });

  it('refuses a label that is not 0 or 1, naming the row', () => {
    const bad = parseCsvTable('x,y\n1,0\n2,yes\n');
    expect(() => trainScorecard(bad, { label: 'y' })).toThrow("row 2: label 'y' must be 0 or 1, not 'yes'");
  });
});
