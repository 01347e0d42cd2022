// The portfolio simulator: a cohort of merchants and buyers in one year trains the platform's two
// scorecards; a fresh cohort in the next year (a slightly worse one) backtests them. Seeded throughout.
import { type Scorecard, type Table, trainScorecard } from '../model/index.ts';
import { type Backtest, backtest } from './backtest.ts';
import { draws } from './draws.ts';
import { type SyntheticBorrower, syntheticBuyer, syntheticMerchant } from './population.ts';

export const BANK_NPL_AVERAGE = 0.0174;
/** The backtest year is a little worse than the training year: a model must hold up under drift. */
const SHOCKS = { train: 0, backtest: 0.2 } as const;

export interface SimulationOptions {
  readonly merchants: number;
  readonly buyers: number;
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PopulationReport {
  readonly model: Scorecard;
  readonly backtest: Backtest;
}

export interface SimulationReport {
  readonly seed: number;
  readonly merchants: PopulationReport;
  readonly buyers: PopulationReport;
  readonly bankNplAverage: number;
}

type Generator = typeof syntheticMerchant;

export function cohort(kind: 'merchant' | 'buyer', size: number, seed: number, year: keyof typeof SHOCKS, tick: () => void): SyntheticBorrower[] {
  const generate: Generator = kind === 'merchant' ? syntheticMerchant : syntheticBuyer;
  const d = draws(seed, kind, year);
  return Array.from({ length: size }, () => {
    tick();
    return generate(d, SHOCKS[year]);
  });
}

export function cohortTable(borrowers: readonly SyntheticBorrower[]): Table {
  const columns = [...Object.keys(borrowers[0]?.features ?? {}), 'defaulted'];
  return { columns, rows: borrowers.map((b) => [...columns.slice(0, -1).map((c) => b.features[c]), b.defaulted ? '1' : '0']) };
}

export function simulatePortfolio(options: SimulationOptions): SimulationReport {
  const total = 2 * (options.merchants + options.buyers);
  let done = 0;
  const tick = () => {
    done++;
    if (done % 500 === 0 || done === total) options.onProgress?.(done, total);
  };
  const population = (kind: 'merchant' | 'buyer', size: number): PopulationReport => {
    const trainCohort = cohort(kind, size, options.seed, 'train', tick);
    const model = trainScorecard(cohortTable(trainCohort), { label: 'defaulted', seed: options.seed });
    return { model, backtest: backtest(model, cohort(kind, size, options.seed, 'backtest', tick)) };
  };
  return {
    seed: options.seed,
    merchants: population('merchant', options.merchants),
    buyers: population('buyer', options.buyers),
    bankNplAverage: BANK_NPL_AVERAGE,
  };
}
