// The simulator's report as an operator reads it in a terminal.
import type { PopulationReport, SimulationReport } from './simulate.ts';

const percent = (value: number) => `${(100 * value).toFixed(2)}%`;

function population(title: string, report: PopulationReport): string[] {
  const { model, backtest } = report;
  const lines = [
    `${title}: model ${model.version} trained on ${model.trainRows + model.holdoutRows} (held-out AUC ${model.holdout.auc.toFixed(4)}, KS ${model.holdout.ks.toFixed(4)})`,
    `  backtest on ${backtest.borrowers} new borrowers, default rate ${percent(backtest.defaultRate)}: AUC ${backtest.auc.toFixed(4)}  KS ${backtest.ks.toFixed(4)}  Gini ${backtest.gini.toFixed(4)}`,
    '  band       borrowers  defaults  default rate',
    ...backtest.bands.map(
      (b) => `  ${b.band.padEnd(9)} ${String(b.borrowers).padStart(10)} ${String(b.defaults).padStart(9)} ${percent(b.defaultRate).padStart(13)}`,
    ),
    '  cut-off  approved  default rate  loss rate',
    ...backtest.cutoffs.map(
      (c) =>
        `  ${String(c.cutoff).padStart(7)} ${percent(c.approvalRate).padStart(9)} ${percent(c.defaultRate).padStart(13)} ${percent(c.lossRate).padStart(10)}`,
    ),
  ];
  return lines;
}

export function formatSimulation(report: SimulationReport): string {
  const book = (r: PopulationReport) => percent(r.backtest.bookNplRatio);
  return [
    `portfolio simulation, seed ${report.seed}`,
    ...population('merchants', report.merchants),
    ...population('buyers', report.buyers),
    `book NPL ratio at the 550 cut-off: merchants ${book(report.merchants)}, buyers ${book(report.buyers)}; commercial banks' average ${percent(report.bankNplAverage)}`,
    '',
  ].join('\n');
}
