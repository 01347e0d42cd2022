// `formica serve`: the API, its docs and the web app, over the configured store.
import type { Command } from 'commander';
import { createFormica, type Formica } from '../../app.ts';
import { resolveOperatorToken } from '../../http/operator-token.ts';
import { buildServer } from '../../http/server.ts';
import { startBankSimChild, startBillerSimChild, startIdentitySimChild } from '../bank-sim-child.ts';
import type { SandboxOptions } from '../../modules/sandbox/sandbox.ts';
import { type RuntimeConfig, runtimeConfig } from '../config.ts';
import { seedDemoData } from '../demo-data.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP API (docs at /docs) on the embedded store, or PostgreSQL when DATABASE_URL is set; FORMICA_SANDBOX=1 for sandbox mode')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .option('--no-demo', 'do not create the demo users on the embedded store')
    .action(async (flags: { port?: string; host?: string; dataDir?: string; demo: boolean }) => {
      await startPlatform(runtimeConfig(flags), { demo: flags.demo });
    });
}

export interface PlatformOptions {
  /** Demo users and the simulated banks, on the embedded store only. */
  readonly demo: boolean;
  /** Sandbox mode; default FORMICA_SANDBOX=1. */
  readonly sandbox?: SandboxOptions;
}

/** Starts the API as `serve` does, prints where everything is, and stops cleanly on a signal. */
export async function startPlatform(config: RuntimeConfig, options: PlatformOptions): Promise<{ app: Formica; address: string }> {
  // Demo users and the simulated banks belong on a developer's embedded store, never beside a
  // shared PostgreSQL database or real channels.
  const demo = options.demo && !config.databaseUrl;
  const bankSim = demo && !process.env.FORMICA_BANK_URL ? await startBankSimChild(config.dataDir) : null;
  const billerSim = demo && !process.env.FORMICA_BILLER_URL ? await startBillerSimChild(config.dataDir) : null;
  const identitySim = demo && !process.env.FORMICA_IDENTITY_URL ? await startIdentitySimChild(config.dataDir) : null;
  const app = await createFormica({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    bankUrl: bankSim?.url,
    billerUrl: billerSim?.url,
    identityUrl: identitySim?.url,
    sandbox: options.sandbox,
  });
  const demoLines = demo ? await seedDemoData(app, bankSim?.url, identitySim?.url) : [];
  const token = resolveOperatorToken(config.dataDir, config.adminToken);
  const server = await buildServer(app, { operatorTokenHash: token.hash, logger: true });
  const stop = async () => {
    await server.close();
    await app.close();
    bankSim?.child.kill('SIGTERM');
    billerSim?.child.kill('SIGTERM');
    identitySim?.child.kill('SIGTERM');
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const address = await server.listen({ port: config.port, host: config.host });
  const where = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
  console.log(`Formica is listening on ${address} (store: ${where}); API docs at ${address}/docs`);
  if (bankSim) console.log(`Simulated banks (ICBC, CCB, CMB) at ${bankSim.url}; SMS codes at ${bankSim.url}/sim/sms?phone=...`);
  if (identitySim) console.log(`Simulated identity authority and SMS gateway at ${identitySim.url}; SMS codes at ${identitySim.url}/sim/sms?phone=...`);
  if (billerSim) console.log(`Simulated billers at ${billerSim.url} (test bill keys 1000000001 to 1000000004)`);
  if (app.sandbox) {
    console.log(
      `Sandbox mode: the clock is at ${new Date(app.clock.now()).toISOString()}; move it with POST ${address}/v1/sandbox/clock {"advance_seconds": N}.`,
    );
    console.log(`Inspector (merchant requests and notifications): ${address}/sandbox/`);
  }
  for (const line of demoLines) console.log(line);
  if (token.generated) {
    console.log(`Operator token (shown once; only its hash is kept): ${token.generated}`);
    console.log('Use it as "Authorization: Bearer <token>", or set FORMICA_ADMIN_TOKEN to choose your own.');
  }
  return { app, address };
}
