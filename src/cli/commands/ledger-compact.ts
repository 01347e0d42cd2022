// `formica ledger compact`: folds away the per-batch account after-images of the embedded store's
// log rows that are materialized and older than a retention (store/sqlite/log/log-compaction.ts,
// decision 35). Transfers, pending states and failures stay in the log; the ledger a state file
// rebuilds from it is the same.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { openStore } from '../../store/open-store.ts';
import { compactLog, DEFAULT_RETAIN_ROWS } from '../../store/sqlite/log/log-compaction.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import { runtimeConfig } from '../config.ts';

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--retain must be a whole number of log rows, not '${value}'`);
  return n;
}

export function registerLedgerCompact(program: Command): void {
  const ledger = program.command('ledger').description('the ledger as the store keeps it');
  ledger
    .command('compact')
    .description(
      "compact the embedded store's log (log layout): materialized rows older than the retention keep their transfers and lose their account after-images",
    )
    .option('--retain <rows>', 'the newest log rows kept as written', wholeNumber, DEFAULT_RETAIN_ROWS)
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { retain: number; dataDir?: string }) => {
      const config = runtimeConfig(flags);
      if (config.databaseUrl) throw new Error('DATABASE_URL is set: only the embedded store (log layout) has a log to compact');
      const store = await openStore({ dataDir: config.dataDir });
      if (!(store instanceof SqliteStore)) throw new Error('only the embedded store has a log to compact');
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'compacting [{bar}] {value}/{total} log rows' }, cliProgress.Presets.shades_classic)
        : null;
      let started = false;
      try {
        const report = await compactLog(store, {
          retainRows: flags.retain,
          progress: (done, total) => {
            if (!bar) return void console.error(`compacted ${done}/${total} log rows`);
            if (!started) bar.start(total, 0);
            started = true;
            bar.update(done);
          },
        });
        bar?.stop();
        if (report.through === 0) {
          console.log(`nothing to compact: the log has ${report.logSeq} rows, ${report.materializedThrough} materialized, the newest ${flags.retain} retained`);
          return;
        }
        console.log(
          `compacted log rows 1-${report.through} of ${report.logSeq} (${report.rowsRewritten} rewritten, ${report.accounts} accounts carried): ` +
            `${report.bytesBefore} bytes -> ${report.bytesAfter} bytes`,
        );
      } finally {
        bar?.stop();
        await store.close();
      }
    });
}
