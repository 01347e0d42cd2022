// `formica fund accrue --date YYYY-MM-DD [--fund ID] [--income-file FILE.csv]`: publishes the
// manager's income file when given, then pays the date's income to every holder of each fund that
// has it published (or of the one fund named), showing the run's progress. Idempotent per date: a
// rerun pays nothing and prints the same figures; a run stopped anywhere resumes where it stopped.
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createFormica } from '../../app.ts';
import type { AccrualProgress, FundService } from '../../modules/fund/fund.ts';
import { SHARE_CURRENCY } from '../../modules/fund/fund-ledger.ts';
import { parseIncomeFile } from '../../modules/fund/income-file.ts';
import { formatMinor } from '../../money/amount.ts';
import { runtimeConfig } from '../config.ts';
import type { OpenFormica } from './reconcile.ts';

const openFromConfig: OpenFormica = async (dataDir) => {
  const config = runtimeConfig({ dataDir });
  const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
  return { app, close: () => app.close() };
};

export interface AccrualOutput {
  log(line: string): void;
  progress(fundId: string, p: AccrualProgress): void;
  stop(): void;
}

interface AccrueFlags {
  date: string;
  fund?: string;
  incomeFile?: string;
  dataDir?: string;
}

export function registerFund(program: Command, open: OpenFormica = openFromConfig, output: () => AccrualOutput = consoleOutput): void {
  const fund = program.command('fund').description('the money-market funds');
  fund
    .command('accrue')
    .description("pay a day's published income to every holder (publishing the manager's income file first when given)")
    .requiredOption('--date <date>', 'the income date, YYYY-MM-DD (Asia/Shanghai); it must be over')
    .option('--fund <fund_id>', 'only this fund (default: every fund with income published for the date)')
    .option('--income-file <file>', 'CSV with a header fund_id,date,income_per_10k (CNY per 10,000 shares, 4 decimals)')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: AccrueFlags) => {
      const out = output();
      const published = flags.incomeFile ? parseIncomeFile(fs.readFileSync(flags.incomeFile, 'utf8')) : [];
      const { app, close } = await open(flags.dataDir);
      try {
        for (const day of published) await app.fund.publishIncome(day.fundId, day.date, day.rE4);
        if (flags.incomeFile) out.log(`published ${published.length} day(s) of income from ${flags.incomeFile}`);
        const funds = flags.fund ? [flags.fund] : await fundsPublishedOn(app.fund, flags.date);
        if (funds.length === 0) throw new Error(`no fund has income published for ${flags.date}`);
        for (const fundId of funds) {
          const result = await app.fund.accrue(fundId, flags.date, (p) => out.progress(fundId, p));
          out.stop();
          out.log(`${fundId} ${result.date}: ${result.holders} holders, paid ${formatMinor(result.paidMinor, SHARE_CURRENCY)} shares`);
        }
      } finally {
        out.stop();
        await close();
      }
    });
}

async function fundsPublishedOn(service: FundService, date: string): Promise<string[]> {
  const funds = await service.catalog.list();
  const published = await Promise.all(funds.map(async (f) => ((await service.catalog.yields(f.fundId, date, 1)).length > 0 ? f.fundId : null)));
  return published.filter((f): f is string => f !== null);
}

/** A bar on a terminal; a line per batch otherwise (logs, CI). */
function consoleOutput(): AccrualOutput {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ format: '{fund} {date} paying holders [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic)
    : null;
  let running = false;
  return {
    log: (line) => console.log(line),
    progress(fundId, p) {
      const payload = { fund: fundId, date: p.date };
      if (!bar) return void process.stderr.write(`${fundId} ${p.date}: paid ${p.paidHolders}/${p.holders} holders\n`);
      if (!running) bar.start(Number(p.holders), Number(p.paidHolders), payload);
      running = true;
      bar.update(Number(p.paidHolders), payload);
    },
    stop() {
      if (running) bar?.stop();
      running = false;
    },
  };
}
