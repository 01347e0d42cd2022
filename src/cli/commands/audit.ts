// `formica audit verify`: walks the platform audit log's hash chain; exits 1 naming the first
// entry that was edited, removed or reordered.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { makePrivateDir } from '../../engine/data-dir.ts';
import { systemClock } from '../../engine/clock.ts';
import { AuditLog } from '../../modules/audit/audit-log.ts';
import { verifyAuditLog } from '../../modules/audit/audit-verify.ts';
import { openSql } from '../../store/sql.ts';
import { runtimeConfig } from '../config.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the platform audit log');
  audit
    .command('verify')
    .description("check the audit log's hash chain; exits 1 naming the first edited, removed or reordered entry")
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { dataDir?: string }) => {
      const config = runtimeConfig(flags);
      if (!config.databaseUrl) makePrivateDir(config.dataDir);
      const db = await openSql({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        const log = await AuditLog.open(db, systemClock);
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: 'audit log [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic)
          : null;
        bar?.start(Number(await log.count()), 0);
        const verdict = await verifyAuditLog(log, (done) => bar?.update(done));
        bar?.stop();
        if (verdict.problem) {
          console.log(`audit log is broken at entry ${verdict.problem.seq}: ${verdict.problem.message}`);
          process.exitCode = 1;
          return;
        }
        console.log(`audit log is intact: ${verdict.entries} entries, each chained to the one before`);
      } finally {
        await db.close();
      }
    });
}
