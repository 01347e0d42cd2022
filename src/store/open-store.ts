// Picks the store for this process: PostgreSQL when a database URL is configured, otherwise the
// embedded SQLite file in the data directory (a fresh machine needs no database server).
import path from 'node:path';
import { PostgresStore } from './postgres/postgres-store.ts';
import { SQLITE_LAYOUTS, type SqliteLayout } from './sqlite/sqlite-ledger.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';
import type { LedgerStore } from './store.ts';

export interface OpenStoreOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  /** PostgreSQL only: a schema of its own instead of the default search path. */
  readonly schema?: string;
}

export async function openStore(options: OpenStoreOptions): Promise<LedgerStore> {
  if (options.databaseUrl) return PostgresStore.open({ url: options.databaseUrl, schema: options.schema });
  return SqliteStore.open({ file: path.join(options.dataDir, 'formica.db'), layout: sqliteLayout(process.env.FORMICA_SQLITE_LAYOUT) });
}

/** FORMICA_SQLITE_LAYOUT: `tables` or `log`; unset, the file's own layout (`log` for a new
 *  file). Anything else is refused, not guessed. */
export function sqliteLayout(value: string | undefined): SqliteLayout | undefined {
  if (value === undefined || value === '') return undefined;
  const layout = SQLITE_LAYOUTS.find((l) => l === value);
  if (!layout) throw new Error(`FORMICA_SQLITE_LAYOUT must be one of ${SQLITE_LAYOUTS.join(', ')}, not ${value}`);
  return layout;
}
