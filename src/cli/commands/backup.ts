// `formica backup` and `formica restore`: the embedded store's online backup and its restore into
// a data directory. PostgreSQL has its own tools; for it these print how to use them and exit 2.
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { BackupRefused, backupDatabase, restoreDatabase } from '../../store/sqlite/backup.ts';
import { runtimeConfig } from '../config.ts';

const POSTGRES_GUIDANCE = `DATABASE_URL is set: the store is PostgreSQL, which Formica does not copy itself.
Back it up with PostgreSQL's own tools, for example:
  pg_dump --format=custom --file=formica.dump "$DATABASE_URL"
and restore into an empty database with:
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" formica.dump
then run \`formica verify\` and \`formica audit verify\` against it.
Keep the data directory's key files (data key, operator token hash, platform keys) with the dump.`;

function refuse(error: unknown): void {
  if (!(error instanceof BackupRefused)) throw error;
  console.error(`formica: ${error.message}`);
  process.exitCode = 2;
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the embedded store while it runs (SQLite online backup); for PostgreSQL, how to use pg_dump')
    .requiredOption('--to <file>', 'where to write the copy (mode 0600)')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .option('--force', 'overwrite an existing file')
    .action(async (flags: { to: string; dataDir?: string; force?: boolean }) => {
      const config = runtimeConfig(flags);
      if (config.databaseUrl) {
        console.error(POSTGRES_GUIDANCE);
        process.exitCode = 2;
        return;
      }
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'backup [{bar}] {value}/{total} pages' }, cliProgress.Presets.shades_classic)
        : null;
      try {
        bar?.start(0, 0);
        const { pages } = await backupDatabase(
          config.dataDir,
          flags.to,
          (copied, total) => {
            bar?.setTotal(total);
            bar?.update(copied);
          },
          flags.force,
        );
        bar?.stop();
        console.log(`backed up ${pages} pages to ${flags.to}; keep the data directory's key files apart from it`);
      } catch (error) {
        bar?.stop();
        refuse(error);
      }
    });

  program
    .command('restore')
    .description("restore a backup as the data directory's database (then run `formica verify`)")
    .requiredOption('--from <file>', 'a file written by `formica backup`')
    .requiredOption('--data-dir <dir>', 'the data directory to restore into (must be empty unless --force)')
    .option('--force', 'replace the database of a directory that is not empty')
    .action((flags: { from: string; dataDir: string; force?: boolean }) => {
      const config = runtimeConfig(flags);
      if (config.databaseUrl) {
        console.error(POSTGRES_GUIDANCE);
        process.exitCode = 2;
        return;
      }
      try {
        const target = restoreDatabase(flags.from, config.dataDir, flags.force);
        console.log(`restored ${target}; now run: formica verify --data-dir ${flags.dataDir} && formica audit verify --data-dir ${flags.dataDir}`);
      } catch (error) {
        refuse(error);
      }
    });
}
