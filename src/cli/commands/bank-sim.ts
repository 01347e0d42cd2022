// `formica bank-sim`: the simulated banks as their own process, for demos and end-to-end tests.
import { type Command, InvalidArgumentError } from 'commander';
import { systemClock } from '../../engine/clock.ts';
import { startBankSimulator } from '../../../sim/bank/server.ts';
import { DEFAULT_BANKS } from '../../../sim/bank/sim-types.ts';

function number(text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`'${text}' is not a number`);
  return value;
}

interface BankSimFlags {
  port: number;
  host: string;
  seed: number;
  dataDir?: string;
  latencyMs: number;
  failureRate: number;
  timeoutRate: number;
  timeZone: string;
  log: boolean;
}

export function registerBankSim(program: Command): void {
  program
    .command('bank-sim')
    .description('simulated banks (ICBC, CCB, CMB) for quick pay, payouts and statements')
    .option('--port <port>', 'port to listen on', number, 7070)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <seed>', 'seed of every random stream', number, 1)
    .option('--data-dir <dir>', 'keep state in this directory across restarts')
    .option('--latency-ms <ms>', 'latency of every bank', number, 0)
    .option('--failure-rate <rate>', 'share of debits/credits declined', number, 0)
    .option('--timeout-rate <rate>', 'share of debits/credits answered late', number, 0)
    .option('--time-zone <zone>', 'zone of the statement day', 'Asia/Shanghai')
    .option('--log', 'log requests (never bodies)', false)
    .action(async (opts: BankSimFlags) => {
      const banks = DEFAULT_BANKS.map((b) => ({ ...b, latencyMs: opts.latencyMs, failureRate: opts.failureRate, timeoutRate: opts.timeoutRate }));
      const sim = await startBankSimulator({
        port: opts.port,
        host: opts.host,
        clock: systemClock,
        seed: opts.seed,
        dataDir: opts.dataDir,
        timeZone: opts.timeZone,
        banks,
        logger: opts.log,
      });
      console.log(`bank simulator listening on ${sim.url} (banks: ${banks.map((b) => b.code).join(', ')})`);
      // Started by `formica serve`: leave when the server does, even if it was killed.
      if (process.send) process.on('disconnect', () => void sim.close().then(() => process.exit(0)));
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          void sim.close().then(() => process.exit(0));
        });
      }
    });
}
