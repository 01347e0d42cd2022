// `formica identity-sim`: the identity authority and the carrier's SMS gateway as their own process
// (the program is sim/identity).
import { type Command, InvalidArgumentError } from 'commander';
import { startIdentitySim } from '../../../sim/identity/server.ts';
import { systemClock } from '../../engine/clock.ts';

function number(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`'${text}' is not a number`);
  return value;
}

interface IdentitySimFlags {
  port: number;
  host: string;
  seed: number;
  faceMatchRate: number;
  dataDir?: string;
  log: boolean;
}

export function registerIdentitySim(program: Command): void {
  program
    .command('identity-sim')
    .description('simulated identity authority (id number and name, document, face checks) and carrier SMS gateway')
    .option('--port <port>', 'port to listen on', number, 7072)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of the face checks of people without a fixed outcome', number, 1)
    .option('--face-match-rate <rate>', 'share of such photos that match', number, 0.9)
    .option('--data-dir <dir>', 'keep the register and messages in this directory across restarts')
    .option('--log', 'log requests (never bodies)', false)
    .action(async (opts: IdentitySimFlags) => {
      const sim = await startIdentitySim({
        port: opts.port,
        host: opts.host,
        clock: systemClock,
        seed: opts.seed,
        faceMatchRate: opts.faceMatchRate,
        dataDir: opts.dataDir,
        logger: opts.log,
      });
      console.log(`identity simulator listening on ${sim.url}`);
      const stop = () => void sim.close().then(() => process.exit(0));
      // Started by `formica serve`: leave when the server does, even if it was killed.
      if (process.send) process.on('disconnect', stop);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
