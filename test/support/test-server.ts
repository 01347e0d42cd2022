// Starts the real Formica HTTP server on a free port over a fresh store: SQLite in a temp dir,
// or a fresh PostgreSQL schema when `postgres` is asked for (dropped again on close).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createFormica, type Formica } from '../../src/app.ts';
import { type Clock, ManualClock } from '../../src/engine/clock.ts';
import { sha256 } from '../../src/http/auth.ts';
import { buildServer } from '../../src/http/server.ts';
import type { ChannelCost } from '../../src/modules/channels/routing.ts';
import { type RunningIdentitySim, startIdentitySim } from '../../sim/identity/server.ts';
import { watchClose } from './close-watch.ts';
import { type Reply, send } from './http.ts';

export interface TestServer {
  readonly url: string;
  readonly token: string;
  readonly app: Formica;
  readonly clock: Clock;
  /** The identity authority and SMS gateway the server checks evidence with (the simulator, on the server's clock). */
  readonly identitySim: RunningIdentitySim;
  /** The data directory (key files; the SQLite files when the store is SQLite). */
  readonly dataDir: string;
  /** fetch against the server with the operator token, JSON in and out. */
  call(method: string, route: string, body?: unknown): Promise<Reply>;
  close(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export interface TestServerOptions {
  readonly store?: StoreKind;
  readonly clock?: Clock;
  readonly bankUrl?: string;
  readonly bankTimeoutMs?: number;
  readonly billerUrl?: string;
  readonly channelFees?: readonly ChannelCost[];
  /** Sandbox mode; `clock` (default: a ManualClock at the real now) is then the time the sandbox clock runs from. */
  readonly sandbox?: boolean;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const clock = options.clock ?? new ManualClock(options.sandbox ? Date.now() : undefined);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-test-'));
  const schema = options.store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const identitySim = await startIdentitySim({ clock, port: 0 });
  const app = await createFormica({
    identityUrl: identitySim.url,
    dataDir,
    databaseUrl: schema ? process.env.DATABASE_URL : undefined,
    databaseSchema: schema,
    clock,
    runJobs: false,
    bankUrl: options.bankUrl,
    bankTimeoutMs: options.bankTimeoutMs,
    billerUrl: options.billerUrl,
    channelFees: options.channelFees,
    sandbox: options.sandbox ? {} : false,
  });
  const token = randomBytes(16).toString('hex');
  const server = await buildServer(app, { operatorTokenHash: sha256(token) });
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    token,
    app,
    clock,
    identitySim,
    dataDir,
    call: (method, route, body) => send(url + route, token, method, body),
    async close() {
      const watch = watchClose(`test server on ${schema ?? 'sqlite'}`, schema ? process.env.DATABASE_URL : undefined);
      await server.close();
      watch.step('app');
      await app.close();
      watch.step('identity simulator');
      await identitySim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      watch.step('drop schema');
      if (schema) await dropSchema(schema);
      watch.done();
    },
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

/** The stores to run a suite against: SQLite always, PostgreSQL when DATABASE_URL is set. */
export function storesUnderTest(): StoreKind[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}
