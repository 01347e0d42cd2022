// Where the CLI and the server find their settings: flags first, then the environment.
import path from 'node:path';
import { checkOperatorToken } from '../http/operator-token.ts';

export interface RuntimeConfig {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly port: number;
  readonly host: string;
  readonly adminToken?: string;
}

export function runtimeConfig(flags: { dataDir?: string; port?: string; host?: string } = {}): RuntimeConfig {
  const env = process.env;
  const port = Number(flags.port ?? env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not '${flags.port ?? env.PORT}'`);
  return {
    dataDir: path.resolve(flags.dataDir ?? env.FORMICA_DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    port,
    host: flags.host ?? env.HOST ?? '127.0.0.1',
    adminToken: env.FORMICA_ADMIN_TOKEN ? checkOperatorToken(env.FORMICA_ADMIN_TOKEN) : undefined,
  };
}
