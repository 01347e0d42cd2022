// `formica reconcile --date YYYY-MM-DD`: matches every bank's statement of a closed day against
// Formica's channel operations, prints a summary table, and exits 1 while differences are unresolved.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createFormica, type Formica } from '../../app.ts';
import type { ReconProgress } from '../../modules/reconciliation/recon-types.ts';
import { formatSummary } from '../../modules/reconciliation/summary-table.ts';
import { runtimeConfig } from '../config.ts';

/** How the command gets its Formica; tests hand in a running one (and keep it open). */
export type OpenFormica = (dataDir: string | undefined) => Promise<{ app: Formica; close(): Promise<void> }>;

const openFromConfig: OpenFormica = async (dataDir) => {
  const config = runtimeConfig({ dataDir });
  const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
  return { app, close: () => app.close() };
};

export interface ReconcileOutput {
  log(line: string): void;
  /** Progress goes to stderr: a bar on a terminal, a line per bank otherwise. */
  progress: ReconProgress;
  stop(): void;
}

export function registerReconcile(program: Command, open: OpenFormica = openFromConfig, output: () => ReconcileOutput = consoleOutput): void {
  program
    .command('reconcile')
    .description("match each bank's statement of a closed day against Formica's records; exits 1 while differences are unresolved")
    .requiredOption('--date <date>', 'the statement day, YYYY-MM-DD (Asia/Shanghai, after the cut-over)')
    .option('--bank <codes>', 'only these banks (comma-separated)')
    .option('--json', 'print the report as JSON instead of the table')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { date: string; bank?: string; json?: boolean; dataDir?: string }) => {
      const out = output();
      const { app, close } = await open(flags.dataDir);
      try {
        const banks = flags.bank?.split(',').filter(Boolean);
        const report = await app.reconciliation.reconcile(flags.date, { banks, progress: out.progress });
        out.stop();
        out.log(flags.json ? JSON.stringify(report, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : formatSummary(report));
        process.exitCode = report.unresolved === 0 ? 0 : 1;
      } finally {
        out.stop();
        await close();
      }
    });
}

function consoleOutput(): ReconcileOutput {
  const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: '{bank} {phase} [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic) : null;
  let current = '';
  return {
    log: (line) => console.log(line),
    progress(bank, phase, done, total) {
      if (!bar) {
        if (phase === 'statement') process.stderr.write(`${bank}: fetching the statement\n`);
        if (phase === 'done') process.stderr.write(`${bank}: done\n`);
        return;
      }
      if (`${bank}/${phase}` !== current) {
        if (current) bar.stop();
        current = `${bank}/${phase}`;
        bar.start(total, done, { bank, phase });
      }
      bar.update(done, { bank, phase });
    },
    stop: () => {
      if (current) bar?.stop();
      current = '';
    },
  };
}
