// Try several API processes behind pgbouncer on one machine:
//   npx tsx ops/pgbouncer/try-pgbouncer.ts up <dir> [session|transaction] [server-url]
//   npx tsx ops/pgbouncer/try-pgbouncer.ts down <dir>     (stops it, removes <dir>)
// The server URL defaults to postgres://postgres@127.0.0.1:5432/postgres; `up` prints the
// DATABASE_URL to give every `formica serve`. Run as root, pgbouncer runs as the postgres user,
// which must be able to reach <dir> (/var/tmp can).
import path from 'node:path';
import { type PoolMode, startPgbouncer, stopPgbouncer } from './pgbouncer.ts';

const USAGE = 'usage: try-pgbouncer.ts up <dir> [session|transaction] [server-url] | down <dir>';

async function main([command, dirArg, mode = 'session', serverUrl = 'postgres://postgres@127.0.0.1:5432/postgres']: string[]): Promise<void> {
  if (!dirArg) throw new Error(USAGE);
  const dir = path.resolve(dirArg);
  if (command === 'up') {
    if (mode !== 'session' && mode !== 'transaction') throw new Error(USAGE);
    const bouncer = await startPgbouncer(dir, { poolMode: mode as PoolMode, serverUrl });
    console.log(`pgbouncer (${mode} pooling) on 127.0.0.1:${bouncer.port}, its files in ${dir}`);
    console.log(`DATABASE_URL=${bouncer.urlFor(serverUrl)}`);
    if (mode === 'transaction') console.log('Formica refuses to start behind transaction pooling (decision 35): this mode is here to see that.');
  } else if (command === 'down') {
    await stopPgbouncer(dir);
    console.log(`stopped pgbouncer and removed ${dir}`);
  } else {
    throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
