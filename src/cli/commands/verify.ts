// `formica verify`: rebuilds every balance from the transfers and checks every ledger invariant.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { createFormica } from '../../app.ts';
import { verifyStore } from '../../engine/verify.ts';
import { runtimeConfig } from '../config.ts';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('check every invariant of the ledger over the whole store; exits 1 when one fails')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { dataDir?: string }) => {
      const config = runtimeConfig(flags);
      const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, runJobs: false });
      const bar = process.stderr.isTTY ? new cliProgress.SingleBar({ format: '{phase} [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic) : null;
      let phase = '';
      const report = await verifyStore(app.store, (next, done, total) => {
        if (!bar) return;
        if (next !== phase) {
          if (phase) bar.stop();
          phase = next;
          bar.start(total, 0, { phase });
        }
        bar.update(done, { phase });
      });
      bar?.stop();
      await app.close();
      console.log(`verified ${report.accounts} accounts and ${report.transfers} transfers`);
      if (report.problems.length === 0) {
        console.log('ledger is consistent: every invariant holds');
        return;
      }
      console.log(`${report.problems.length} problem(s):`);
      for (const p of report.problems) console.log(`  - ${p}`);
      process.exitCode = 1;
    });
}
