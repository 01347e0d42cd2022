// `formica credit simulate`: trains the platform's scorecards on one synthetic year and backtests the next.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { formatSimulation } from '../../modules/credit/simulator/report.ts';
import { simulatePortfolio } from '../../modules/credit/simulator/simulate.ts';

function count(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed < 100) throw new Error(`${name} must be an integer of at least 100, not '${value}'`);
  return parsed;
}

export function registerCreditSimulate(credit: Command): void {
  credit
    .command('simulate')
    .description(
      'simulate a portfolio: train on one synthetic year, backtest on the next; prints AUC, KS, default rate by band and the approval/loss trade-off',
    )
    .option('--merchants <n>', 'merchants per cohort', '5000')
    .option('--buyers <n>', 'buyers per cohort', '5000')
    .option('--seed <n>', 'seed of the whole simulation', '1')
    .action((flags: { merchants: string; buyers: string; seed: string }) => {
      const seed = Number(flags.seed);
      if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, not '${flags.seed}'`);
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'borrowers [{bar}] {value}/{total}', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : null;
      const merchants = count(flags.merchants, '--merchants');
      const buyers = count(flags.buyers, '--buyers');
      bar?.start(2 * (merchants + buyers), 0);
      const report = simulatePortfolio({ merchants, buyers, seed, onProgress: (done) => bar?.update(done) });
      bar?.stop();
      process.stdout.write(formatSimulation(report));
    });
}
