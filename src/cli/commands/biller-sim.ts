// `formica biller-sim`: the simulated billers as their own process (the program is sim/biller).
import { type Command, InvalidArgumentError } from 'commander';
import { startBillerSimulator } from '../../../sim/biller/server.ts';
import { systemClock } from '../../engine/clock.ts';

function number(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`'${text}' is not a number`);
  return value;
}

interface BillerSimFlags {
  port: number;
  host: string;
  seed: number;
  dataDir?: string;
  latencyMs: number;
  refusalRate: number;
  lateRate: number;
  timeZone: string;
  log: boolean;
}

export function registerBillerSim(program: Command): void {
  program
    .command('biller-sim')
    .description('simulated billers (water, power, gas, telecom...): bill lookup, payments, confirmations and daily settlement files')
    .option('--port <port>', 'port to listen on', number, 7071)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of the households and of refusals and late confirmations', number, 1)
    .option('--data-dir <dir>', 'keep payments in this directory across restarts')
    .option('--latency-ms <ms>', 'wait before every answer', number, 0)
    .option('--refusal-rate <rate>', 'share of household payments refused', number, 0)
    .option('--late-rate <rate>', 'share of household payments confirmed only after 10 minutes', number, 0)
    .option('--time-zone <zone>', 'zone of the settlement day', 'Asia/Shanghai')
    .option('--log', 'log requests (never bodies)', false)
    .action(async (opts: BillerSimFlags) => {
      const sim = await startBillerSimulator({
        port: opts.port,
        host: opts.host,
        clock: systemClock,
        seed: opts.seed,
        dataDir: opts.dataDir,
        latencyMs: opts.latencyMs,
        refusalRate: opts.refusalRate,
        lateRate: opts.lateRate,
        timeZone: opts.timeZone,
        logger: opts.log,
      });
      console.log(`biller simulator listening on ${sim.url}`);
      const stop = () => void sim.close().then(() => process.exit(0));
      // Started by `formica serve`: leave when the server does, even if it was killed.
      if (process.send) process.on('disconnect', stop);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
