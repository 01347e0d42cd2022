// `formica sandbox`: the platform in sandbox mode for a merchant's developer, on a fresh data
// directory unless one is given (always the embedded store: a sandbox is disposable), with the demo
// buyers and a merchant app whose alipay-sdk configuration is printed ready to paste.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { parseSandboxStart } from '../../modules/sandbox/sandbox-clock.ts';
import { runtimeConfig } from '../config.ts';
import { alipaySdkConfiguration, ensureSandboxMerchant } from '../sandbox-merchant.ts';
import { startPlatform } from './serve.ts';

export function registerSandbox(program: Command): void {
  program
    .command('sandbox')
    .description('start the platform in sandbox mode (clock control, faults, inspector at /sandbox/) with demo buyers and a merchant app')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory to keep (default: a fresh temporary one)')
    .option('--start <time>', 'where a new sandbox clock starts, ISO 8601 (env FORMICA_SANDBOX_START, default now)')
    .action(async (flags: { port?: string; host?: string; dataDir?: string; start?: string }) => {
      const dataDir = flags.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'formica-sandbox-'));
      const config = { ...runtimeConfig({ ...flags, dataDir }), databaseUrl: undefined };
      const startMs = parseSandboxStart(flags.start ?? process.env.FORMICA_SANDBOX_START);
      const { app, address } = await startPlatform(config, { demo: true, sandbox: { startMs } });
      const merchant = await ensureSandboxMerchant(app, config.dataDir);
      console.log(`Merchant app ${merchant.appId} ("Sandbox Shop"); its private key is in ${merchant.privateKeyFile}. alipay-sdk configuration:`);
      for (const line of alipaySdkConfiguration(merchant, app.platformKeys.publicPem, address)) console.log(line);
    });
}
