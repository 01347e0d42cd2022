// Try a synchronous standby and a failover on one machine:
//   npx tsx ops/postgres-standby/try-standby.ts up <dir> [primary-port] [standby-port]
//   npx tsx ops/postgres-standby/try-standby.ts failover <dir>   (kills the primary, promotes the standby)
//   npx tsx ops/postgres-standby/try-standby.ts down <dir>       (stops both, removes <dir>)
// Run as root, the pair runs as the postgres user, which must be able to reach <dir> (/var/tmp can).
import fs from 'node:fs';
import path from 'node:path';
import { killPrimary, promoteStandby, removeStandbyPair, type StandbyPair, standbySyncState, startStandbyPair } from './standby-pair.ts';

const USAGE = 'usage: try-standby.ts up <dir> [primary-port] [standby-port] | failover <dir> | down <dir>';
const PAIR_FILE = 'pair.json';

async function main([command, dirArg, primaryPort = '5433', standbyPort = '5434']: string[]): Promise<void> {
  if (!dirArg) throw new Error(USAGE);
  const dir = path.resolve(dirArg);
  if (command === 'up') {
    const pair = await startStandbyPair(dir, { primary: Number(primaryPort), standby: Number(standbyPort) });
    fs.writeFileSync(path.join(dir, PAIR_FILE), JSON.stringify(pair, null, 2));
    console.log(`primary: DATABASE_URL=${pair.primaryUrl} (its standby is ${await standbySyncState(pair)})`);
    console.log(`standby: ${pair.standbyUrl} (read-only until promoted)`);
  } else if (command === 'failover') {
    const pair = JSON.parse(fs.readFileSync(path.join(dir, PAIR_FILE), 'utf8')) as StandbyPair;
    console.log(`killed the primary's postmaster (pid ${killPrimary(pair)})`);
    await promoteStandby(pair);
    console.log(`promoted the standby: DATABASE_URL=${pair.standbyUrl}, then run \`formica verify\``);
  } else if (command === 'down') {
    await removeStandbyPair(dir);
    console.log(`stopped the pair and removed ${dir}`);
  } else {
    throw new Error(USAGE);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
