// `formica serve`: the API, its docs and the web app, over the configured store.
import type { Command } from 'commander';
import { createFormica } from '../../app.ts';
import { resolveOperatorToken } from '../../http/operator-token.ts';
import { buildServer } from '../../http/server.ts';
import { startBankSimChild } from '../bank-sim-child.ts';
import { runtimeConfig } from '../config.ts';
import { seedDemoData } from '../demo-data.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP API (docs at /docs) on the embedded store, or PostgreSQL when DATABASE_URL is set')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)')
    .option('--host <host>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env FORMICA_DATA_DIR, default ./data)')
    .option('--no-demo', 'do not create the demo users on the embedded store')
    .action(async (flags: { port?: string; host?: string; dataDir?: string; demo: boolean }) => {
      const config = runtimeConfig(flags);
      // Demo users and the simulated banks belong on a developer's embedded store, never beside a
      // shared PostgreSQL database or real channels.
      const demo = flags.demo && !config.databaseUrl;
      const bankSim = demo && !process.env.FORMICA_BANK_URL ? await startBankSimChild(config.dataDir) : null;
      const app = await createFormica({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, bankUrl: bankSim?.url });
      const demoLines = demo ? await seedDemoData(app, bankSim?.url) : [];
      const token = resolveOperatorToken(config.dataDir, config.adminToken);
      const server = await buildServer(app, { operatorTokenHash: token.hash, logger: true });
      const stop = async () => {
        await server.close();
        await app.close();
        bankSim?.child.kill('SIGTERM');
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const address = await server.listen({ port: config.port, host: config.host });
      const where = config.databaseUrl ? 'PostgreSQL' : `SQLite in ${config.dataDir}`;
      console.log(`Formica is listening on ${address} (store: ${where}); API docs at ${address}/docs`);
      if (bankSim) console.log(`Simulated banks (ICBC, CCB, CMB) at ${bankSim.url}; SMS codes at ${bankSim.url}/sim/sms?phone=...`);
      for (const line of demoLines) console.log(line);
      if (token.generated) {
        console.log(`Operator token (shown once; only its hash is kept): ${token.generated}`);
        console.log('Use it as "Authorization: Bearer <token>", or set FORMICA_ADMIN_TOKEN to choose your own.');
      }
    });
}
