// The SQL seam for modules (identity, wallet, ...): their own tables in the same database as the
// ledger, one small async interface over both dialects. Parameters are always written `?`; for
// PostgreSQL they become $1..$n. Integers come back as bigint in both dialects.
import path from 'node:path';
import type pg from 'pg';
import type { SqlMigrations } from './migrations.ts';
import { migrate as migratePostgres } from './postgres/postgres-store.ts';
import { openPool } from './postgres/pool.ts';
import { withTransaction } from './postgres/transaction.ts';
import { type EmbeddedWriter, embeddedSql, openModuleSql } from './sqlite/module-sql.ts';
import type { SqliteStore } from './sqlite/sqlite-store.ts';

export type SqlParam = string | number | bigint | null;
export type SqlRow = Record<string, unknown>;

/** What a query can run on: the database itself, or one transaction of it. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  all<T extends SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  get<T extends SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
}

export type { MigrationSource, SqlMigrations } from './migrations.ts';

export interface SqlDatabase extends SqlExecutor {
  /** Runs `fn` in one transaction; rolls back if it throws. `fn` should only await SQL on `tx`. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations of `scope` not applied yet; refuses when an applied one was edited (migrations.ts). */
  migrate(scope: string, migrations: SqlMigrations): Promise<void>;
  close(): Promise<void>;
}

export interface OpenSqlOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly schema?: string;
  /** The embedded store's ledger store and the engine that groups its writes; without them the
   *  embedded store is opened on its own and each write commits alone. */
  readonly embedded?: { readonly store: SqliteStore; readonly writer: EmbeddedWriter };
}

export async function openSql(options: OpenSqlOptions): Promise<SqlDatabase> {
  if (options.databaseUrl) return openPostgresSql(options.databaseUrl, options.schema);
  if (options.embedded) return embeddedSql(options.embedded.store, options.embedded.writer);
  return openModuleSql(path.join(options.dataDir, 'formica.db'));
}

/** `?` placeholders to `$n`, leaving quoted text alone. */
export function toDollarParams(sql: string): string {
  let n = 0;
  let out = '';
  let quote: string | null = null;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = null;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      n += 1;
      out += `$${n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

export function pgExecutor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = (sql: string, params: readonly SqlParam[]) => client.query(toDollarParams(sql), params as unknown[]);
  return {
    dialect: 'postgres',
    all: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => (await query(sql, params)).rows as T[],
    get: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
  };
}

let savepoints = 0;

/** Runs `fn` inside a savepoint of the client's open transaction: a throw undoes `fn`'s writes only. */
export async function pgSavepoint<T>(client: pg.PoolClient, fn: () => Promise<T>): Promise<T> {
  const name = `step_${++savepoints}`;
  await client.query(`SAVEPOINT ${name}`);
  try {
    const value = await fn();
    await client.query(`RELEASE SAVEPOINT ${name}`);
    return value;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
    await client.query(`RELEASE SAVEPOINT ${name}`);
    throw error;
  }
}

async function openPostgresSql(url: string, schema: string | undefined): Promise<SqlDatabase> {
  const pool = openPool({ url, schema, max: 10 });
  const inTransaction = <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => withTransaction(pool, fn);
  let closed = false;
  return {
    ...pgExecutor(pool),
    transaction: (fn) => inTransaction((client) => fn(pgExecutor(client))),
    migrate: (scope, migrations) => inTransaction((client) => migratePostgres(client, schema, scope, migrations.postgres)),
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
