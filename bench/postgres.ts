// The PostgreSQL fixture: used only when DATABASE_URL is set and the adapter exists. Each run gets
// a fresh schema, dropped afterwards.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { LedgerStore } from '../src/store/store.ts';
import { type Fixture, withAccounts } from './fixture.ts';
import type { Workload } from './workload.ts';

interface PostgresStoreModule {
  PostgresStore: { open(options: { url: string; schema: string; layout: 'tables' | 'log' }): Promise<LedgerStore> };
}

const ADAPTER = new URL('../src/store/postgres/postgres-store.ts', import.meta.url);

/** Why the PostgreSQL row cannot run here, or null when it can. */
export function postgresSkipReason(): string | null {
  if (!process.env.DATABASE_URL) return 'DATABASE_URL is not set';
  if (!fs.existsSync(fileURLToPath(ADAPTER))) return 'src/store/postgres/postgres-store.ts does not exist yet';
  return null;
}

export async function postgresFixture(load: Workload, layout: 'tables' | 'log' = 'tables'): Promise<Fixture> {
  const url = process.env.DATABASE_URL as string;
  const schema = `bench_${Date.now()}_${process.pid}`;
  const mod = (await import(ADAPTER.href)) as PostgresStoreModule;
  const store = await mod.PostgresStore.open({ url, schema, layout });
  return withAccounts(store, load, async () => {
    await store.close();
    await dropSchema(url, schema);
  });
}

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
