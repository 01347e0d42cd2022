// `formica audit verify`: walks the platform audit log's hash chain, and checks it against the head
// kept outside the database; exits 1 naming the first entry that was edited, removed or reordered.
// `formica audit head` prints the head, for an operator to keep elsewhere.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { makePrivateDir } from '../../engine/data-dir.ts';
import { systemClock } from '../../engine/clock.ts';
import { AuditLog } from '../../modules/audit/audit-log.ts';
import { verifyAuditLog } from '../../modules/audit/audit-verify.ts';
import { AUDIT_HEAD_FILE, type KeptHead, parseKeptHead, readKeptHead } from '../../modules/audit/audit-witness.ts';
import { openSql } from '../../store/sql.ts';
import { runtimeConfig } from '../config.ts';

export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the platform audit log');
  audit
    .command('verify')
    .description("check the audit log's hash chain; exits 1 naming the first edited, removed or reordered entry")
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .option('--head <seq:hash>', `a head kept elsewhere (formica audit head); default the data directory's ${AUDIT_HEAD_FILE} file`)
    .action(async (flags: { dataDir?: string; head?: string }) => {
      const config = runtimeConfig(flags);
      const kept: KeptHead | undefined = flags.head ? parseKeptHead(flags.head) : readKeptHead(config.dataDir);
      if (!config.databaseUrl) makePrivateDir(config.dataDir);
      const db = await openSql({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        const log = await AuditLog.open(db, systemClock);
        const bar = process.stderr.isTTY
          ? new cliProgress.SingleBar({ format: 'audit log [{bar}] {value}/{total}' }, cliProgress.Presets.shades_classic)
          : null;
        bar?.start(Number(await log.count()), 0);
        const verdict = await verifyAuditLog(log, (done) => bar?.update(done), kept);
        bar?.stop();
        if (verdict.problem) {
          console.log(`audit log is broken at entry ${verdict.problem.seq}: ${verdict.problem.message}`);
          process.exitCode = 1;
          return;
        }
        console.log(`audit log is intact: ${verdict.entries} entries, each chained to the one before`);
        console.log(
          kept ? `its end matches the head kept outside the database (entry ${kept.seq})` : 'no head was kept outside the database to check its end against',
        );
      } finally {
        await db.close();
      }
    });
  audit
    .command('head')
    .description("print the audit log's head (<seq>:<hash>) to keep outside the database; verify --head checks against it")
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .action(async (flags: { dataDir?: string }) => {
      const config = runtimeConfig(flags);
      const db = await openSql({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
      try {
        const head = await (await AuditLog.open(db, systemClock)).head();
        console.log(`${head?.seq ?? 0}:${head?.hash ?? ''}`);
      } finally {
        await db.close();
      }
    });
}
