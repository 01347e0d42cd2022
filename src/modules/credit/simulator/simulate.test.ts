// The simulator judges the model: on a cohort from the next year it must keep at least half of the lift
// over chance that the hidden default probabilities (which include what no feature shows) achieve, order the bands by risk, and replay exactly from its seed.
import { describe, expect, it } from 'vitest';
import { discrimination } from '../model/index.ts';
import { cohort, simulatePortfolio } from './simulate.ts';

describe('simulatePortfolio', () => {
  const report = simulatePortfolio({ merchants: 3000, buyers: 3000, seed: 11 });

  it.each(['merchant', 'buyer'] as const)('backtests the %s scorecard within reach of the hidden probabilities', (kind) => {
    const next = cohort(kind, 3000, 11, 'backtest', () => {});
    const oracle = discrimination(
      next.map((b) => b.defaultProbability),
      next.map((b) => (b.defaulted ? 1 : 0)),
    );
    const result = (kind === 'merchant' ? report.merchants : report.buyers).backtest;
    expect(result.auc).toBeGreaterThan(0.5 + 0.5 * (oracle.auc - 0.5));
    expect(result.ks).toBeGreaterThan(0.5 * oracle.ks);
    const rates = result.bands.map((b) => b.defaultRate);
    expect(rates[0]).toBeGreaterThan(rates[3]);
    expect(result.cutoffs[0].approvalRate).toBe(1);
    const approvals = result.cutoffs.map((c) => c.approvalRate);
    expect(approvals).toEqual([...approvals].sort((a, b) => b - a));
  });

  it('replays exactly from its seed, and differs with another', () => {
    const again = simulatePortfolio({ merchants: 3000, buyers: 3000, seed: 11 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(report));
    expect(simulatePortfolio({ merchants: 500, buyers: 500, seed: 12 }).merchants.model.version).not.toBe(report.merchants.model.version);
  });

  it('reports progress up to the total', () => {
    const seen: number[] = [];
    simulatePortfolio({ merchants: 500, buyers: 500, seed: 3, onProgress: (done, total) => seen.push(done / total) });
    expect(seen.at(-1)).toBe(1);
  });
});
