// The one way Formica opens a PostgreSQL connection pool: int8 as bigint, durable commits and the
// schema set at connection start, and no connection of it able to end the process.
import pg from 'pg';

const INT8_OID = 20;

/** int8 as a JavaScript bigint (node-postgres returns a string by default), for this pool only. */
const BIGINT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID ? (text: string) => BigInt(text) : pg.types.getTypeParser(oid, format)),
};

// Only plain identifiers: the schema name goes into a startup option and into DDL unquoted-safe.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PoolOptions {
  readonly url: string;
  /** A schema of its own instead of the default search path. */
  readonly schema?: string;
  readonly max: number;
}

export function checkSchemaName(schema: string | undefined): void {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name '${schema}'`);
}

export function openPool(options: PoolOptions): pg.Pool {
  checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max,
    types: BIGINT_TYPES,
    // Set at connection start, so every pooled connection sees them before its first query:
    // the schema, and durable commits whatever the server's default (acknowledged means on disk).
    options: ['-c synchronous_commit=on', options.schema === undefined ? '' : `-c search_path=${options.schema}`].join(' ').trim(),
  });
  // An idle connection that the server drops must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor one the server drops while it is checked out. The pool takes its own listener off a
  // connection it hands out, and may hand one out from inside a socket read (the one that ended
  // its startup, or a pool.query's last reply): a server dying right then (ReadyForQuery and its
  // FATAL in one read) emits 'error' before the borrower's code has run to listen. The queries of
  // a connection that failed this way fail, and the pool discards it when it comes back.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
