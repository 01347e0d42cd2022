// `formica credit train | score | simulate`: the scorecard as a tool anyone can check on their own data;
// `formica credit bureau`: a closed month's credit-bureau report from the platform's own books.
import fs from 'node:fs';
import type { Command } from 'commander';
import { createFormica } from '../../app.ts';
import { checkMonth } from '../../modules/credit/reports/bureau.ts';
import { runtimeConfig } from '../config.ts';
import { parseCsvTable, parseScorecard, scoreTableCsv, trainScorecard } from '../../modules/credit/model/index.ts';
import { registerCreditSimulate } from './credit-simulate.ts';

function readTable(file: string) {
  return parseCsvTable(fs.readFileSync(file, 'utf8'));
}

function integerOption(value: string, name: string): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed)) throw new Error(`${name} must be an integer, not '${value}'`);
  return parsed;
}

export function registerCredit(program: Command): void {
  const credit = program.command('credit').description('the credit scorecard: train on a CSV table, score one, simulate a portfolio');
  credit
    .command('train')
    .description('train a scorecard on a CSV table (label column: 1 for a default, 0 otherwise) and write the model file')
    .requiredOption('--data <file>', 'CSV table with a header line')
    .requiredOption('--label <column>', 'the column holding 1 for a default, 0 otherwise')
    .requiredOption('--out <file>', 'where to write the model (JSON)')
    .option('--seed <n>', 'seed of the training/held-out split', '1')
    .action((flags: { data: string; label: string; out: string; seed: string }) => {
      const model = trainScorecard(readTable(flags.data), { label: flags.label, seed: integerOption(flags.seed, '--seed') });
      fs.writeFileSync(flags.out, `${JSON.stringify(model, null, 2)}\n`);
      console.log(`model ${model.version}: ${model.features.length} column(s), trained on ${model.trainRows} rows, held out ${model.holdoutRows}`);
      console.log(`held-out AUC ${model.holdout.auc.toFixed(4)}  KS ${model.holdout.ks.toFixed(4)}  Gini ${model.holdout.gini.toFixed(4)}`);
      for (const feature of model.features)
        console.log(`  ${feature.name}: ${feature.bins.length} bins, information value ${feature.informationValue.toFixed(4)}`);
      for (const left of model.dropped) console.log(`  left out ${left.name}: ${left.reason}`);
      console.log(`written to ${flags.out}`);
    });
  credit
    .command('score')
    .description('score every row of a CSV table; prints CSV: row, score, band and the top three factors')
    .requiredOption('--model <file>', 'a model file written by `formica credit train`')
    .requiredOption('--data <file>', 'CSV table with a header line (the label column may be absent)')
    .action((flags: { model: string; data: string }) => {
      const model = parseScorecard(fs.readFileSync(flags.model, 'utf8'));
      process.stdout.write(scoreTableCsv(model, readTable(flags.data)));
    });
  credit
    .command('bureau')
    .description("write a closed month's credit-bureau report: one CSV line per borrower (kept as first issued)")
    .requiredOption('--month <YYYY-MM>', 'the month, in Asia/Shanghai')
    .requiredOption('--out <file>', 'where to write the CSV')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { month: string; out: string; dataDir?: string }) => {
      checkMonth(flags.month);
      const config = runtimeConfig({ dataDir: flags.dataDir });
      const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
      try {
        const csv = await app.credit.bureau.report(flags.month);
        fs.writeFileSync(flags.out, csv);
        console.log(`credit bureau ${flags.month}: ${csv.trimEnd().split('\n').length - 1} borrower(s) written to ${flags.out}`);
      } finally {
        await app.close();
      }
    });
  registerCreditSimulate(credit);
}
