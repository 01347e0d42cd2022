// The SQL seam for modules (identity, wallet, ...): their own tables in the same database as the
// ledger, one small async interface over both dialects. Parameters are always written `?`; for
// PostgreSQL they become $1..$n. Integers come back as bigint in both dialects.
import path from 'node:path';
import type Database from 'better-sqlite3';
import pg from 'pg';
import { migrate as migratePostgres, withTransaction } from './postgres/postgres-store.ts';
import { openSqliteDatabase, migrate as migrateSqlite } from './sqlite/sqlite-store.ts';

export type SqlParam = string | number | bigint | null;
export type SqlRow = Record<string, unknown>;

/** What a query can run on: the database itself, or one transaction of it. */
export interface SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  all<T extends SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
  get<T extends SqlRow>(sql: string, params?: readonly SqlParam[]): Promise<T | undefined>;
  run(sql: string, params?: readonly SqlParam[]): Promise<{ changes: number }>;
}

export interface SqlMigrations {
  readonly sqlite: readonly string[];
  readonly postgres: readonly string[];
}

export interface SqlDatabase extends SqlExecutor {
  /** Runs `fn` in one transaction; rolls back if it throws. `fn` should only await SQL on `tx`. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Applies the migrations of `scope` not applied yet (version = index + 1). */
  migrate(scope: string, migrations: SqlMigrations): Promise<void>;
  close(): Promise<void>;
}

export interface OpenSqlOptions {
  readonly dataDir: string;
  readonly databaseUrl?: string;
  readonly schema?: string;
}

export async function openSql(options: OpenSqlOptions): Promise<SqlDatabase> {
  if (options.databaseUrl) return openPostgresSql(options.databaseUrl, options.schema);
  return openSqliteSql(path.join(options.dataDir, 'formica.db'));
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

/** A FIFO lock: SQLite transactions on the one connection take turns. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();

  async lock<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release: () => void = () => {};
    this.tail = new Promise((resolve) => {
      release = resolve;
    });
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function sqliteExecutor(db: Database.Database): SqlExecutor {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  return {
    dialect: 'sqlite',
    all: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).all(...params) as T[],
    get: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: Number(statement(sql).run(...params).changes) }),
  };
}

/**
 * A second connection to the ledger's file. Its own connection means a module transaction never
 * nests inside a ledger batch; the mutex keeps this connection's async transactions from interleaving.
 */
function openSqliteSql(file: string): SqlDatabase {
  const db = openSqliteDatabase(file);
  const exec = sqliteExecutor(db);
  const mutex = new Mutex();
  return {
    ...exec,
    // Plain statements wait for a running transaction, so they never land inside it.
    all: (sql, params) => mutex.lock(() => exec.all(sql, params)),
    get: (sql, params) => mutex.lock(() => exec.get(sql, params)),
    run: (sql, params) => mutex.lock(() => exec.run(sql, params)),
    transaction: (fn) =>
      mutex.lock(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const value = await fn(exec);
          db.exec('COMMIT');
          return value;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    migrate: (scope, migrations) => mutex.lock(async () => migrateSqlite(db, scope, migrations.sqlite)),
    async close() {
      await mutex.lock(async () => {
        if (db.open) db.close();
      });
    },
  };
}

const INT8_OID = 20;
const BIGINT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID ? (text: string) => BigInt(text) : pg.types.getTypeParser(oid, format)),
};
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function pgExecutor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  const query = (sql: string, params: readonly SqlParam[]) => client.query(toDollarParams(sql), params as unknown[]);
  return {
    dialect: 'postgres',
    all: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => (await query(sql, params)).rows as T[],
    get: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => (await query(sql, params)).rows[0] as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: (await query(sql, params)).rowCount ?? 0 }),
  };
}

async function openPostgresSql(url: string, schema: string | undefined): Promise<SqlDatabase> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name '${schema}'`);
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    types: BIGINT_TYPES,
    options: ['-c synchronous_commit=on', schema === undefined ? '' : `-c search_path=${schema}`].join(' ').trim(),
  });
  pool.on('error', () => {});
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
