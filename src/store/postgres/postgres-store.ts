// The PostgreSQL store: a connection pool shared by the engine's batch writer and the readers.
// Several API processes may share one database: each batch first locks the single ledger_meta
// row, which serializes batch writers across processes, so every batch loads committed state and
// ledger timestamps (and outbox sequence numbers) only increase in commit order.
import pg from 'pg';
import type { Account, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../ledger/index.ts';
import { accountTransfersSql } from '../queries.ts';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  accountFromRow,
  type PendingRow,
  pendingFromRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  transferFromRow,
} from '../rows.ts';
import {
  APPLIED_MIGRATIONS_TABLE,
  DELETE_LEGACY,
  declaredMigrations,
  INSERT_APPLIED,
  LEGACY_TABLE,
  type Migration,
  type MigrationSource,
  planMigrations,
  RENAME_APPLIED,
  SELECT_APPLIED,
  SELECT_LEGACY,
} from '../migrations.ts';
import { pgExecutor, pgSavepoint } from '../sql.ts';
import type { BatchWrite, LedgerStore, StoredOutboxEvent, TransferPage, TransferQuery, WriteGroup } from '../store.ts';
import { POSTGRES_MIGRATIONS } from './schema.ts';

export interface PostgresStoreOptions {
  readonly url: string;
  /** A schema of its own (created when missing); the connection's default search path otherwise. */
  readonly schema?: string;
  readonly poolSize?: number;
}

const INT8_OID = 20;

/** int8 as a JavaScript bigint (node-postgres returns a string by default), for this pool only. */
const BIGINT_TYPES: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID ? (text: string) => BigInt(text) : pg.types.getTypeParser(oid, format)),
};

// Only plain identifiers: the schema name goes into a startup option and into DDL unquoted-safe.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class PostgresStore implements LedgerStore {
  readonly kind = 'postgres' as const;
  private closed = false;

  private constructor(readonly pool: pg.Pool) {}

  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name '${schema}'`);
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: BIGINT_TYPES,
      // Set at connection start, so every pooled connection sees them before its first query:
      // the schema, and durable commits whatever the server's default (acknowledged means on disk).
      options: ['-c synchronous_commit=on', schema === undefined ? '' : `-c search_path=${schema}`].join(' ').trim(),
    });
    // An idle connection that the server drops must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    try {
      await withTransaction(pool, (client) => migrate(client, schema, 'ledger', POSTGRES_MIGRATIONS));
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool);
  }

  writeBatch<T>(keys: BatchKeys, compute: (snapshot: Snapshot) => BatchWrite<T>): Promise<T> {
    return this.writeGroup((group) => group.apply(keys, compute));
  }

  /** The ledger_meta row lock comes first, so groups of every process take turns and each sees
   *  the committed state of the last one. */
  async writeGroup<T>(work: (group: WriteGroup) => Promise<T>, committed?: () => void): Promise<T> {
    try {
      return await this.transactGroup(work);
    } finally {
      committed?.();
    }
  }

  private transactGroup<T>(work: (group: WriteGroup) => Promise<T>): Promise<T> {
    return withTransaction(this.pool, async (client) => {
      const locked = await client.query<{ last_timestamp: bigint }>({ name: 'formica_lock_ledger', text: LOCK_LEDGER_SQL });
      let applied = false;
      return work({
        sql: pgExecutor(client),
        isolated: (fn) => pgSavepoint(client, fn),
        apply: async (keys, compute) => {
          if (applied) throw new Error('a write group applies one ledger batch at most');
          applied = true;
          const snapshot = await load(client, keys, locked.rows[0].last_timestamp);
          const written = compute(snapshot);
          await client.query({ name: 'formica_persist_batch', text: PERSIST_SQL, values: persistParams(written) });
          return written.value;
        },
      });
    });
  }

  async getAccount(id: string): Promise<Account | undefined> {
    const { rows } = await this.pool.query<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = $1`, [id]);
    return rows[0] && accountFromRow(rows[0]);
  }

  async getTransfer(id: string): Promise<Transfer | undefined> {
    const { rows } = await this.pool.query<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE id = $1`, [id]);
    return rows[0] && transferFromRow(rows[0]);
  }

  async listAccountTransfers(accountId: string, query: TransferQuery): Promise<TransferPage> {
    const { sql, params } = accountTransfersSql(accountId, query, (n) => `$${n}`);
    const { rows } = await this.pool.query<TransferRow>(sql, params);
    const transfers = rows.map(transferFromRow);
    const next = transfers.length === query.limit ? transfers[transfers.length - 1].timestamp : null;
    return { transfers, next };
  }

  async duePendingIds(nowNs: bigint, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      "SELECT id FROM pending_transfers WHERE status = 'pending' AND expires_at > 0 AND expires_at <= $1 ORDER BY expires_at, id LIMIT $2",
      [nowNs, limit],
    );
    return rows.map((r) => r.id);
  }

  async nextExpiry(): Promise<bigint | null> {
    const { rows } = await this.pool.query<{ min: bigint | null }>(
      "SELECT min(expires_at) AS min FROM pending_transfers WHERE status = 'pending' AND expires_at > 0",
    );
    return rows[0].min;
  }

  async *scanAccounts(batchSize: number): AsyncIterable<Account[]> {
    const sql = `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2`;
    for await (const rows of this.pages<AccountRow, string>(sql, '', batchSize, (r) => r.id)) yield rows.map(accountFromRow);
  }

  async *scanTransfers(batchSize: number): AsyncIterable<Transfer[]> {
    const sql = `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > $1 ORDER BY timestamp LIMIT $2`;
    for await (const rows of this.pages<TransferRow, bigint>(sql, 0n, batchSize, (r) => r.timestamp)) yield rows.map(transferFromRow);
  }

  async *scanPendingStates(batchSize: number): AsyncIterable<{ id: string; status: string; expiresAt: bigint }[]> {
    const sql = 'SELECT id, status, expires_at FROM pending_transfers WHERE id > $1 ORDER BY id LIMIT $2';
    for await (const rows of this.pages<PendingRow, string>(sql, '', batchSize, (r) => r.id)) yield rows.map(pendingFromRow);
  }

  async counts(): Promise<{ accounts: bigint; transfers: bigint }> {
    const { rows } = await this.pool.query<{ accounts: bigint; transfers: bigint }>(
      'SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM transfers) AS transfers',
    );
    return rows[0];
  }

  async outboxAfter(seq: bigint, limit: number): Promise<StoredOutboxEvent[]> {
    const { rows } = await this.pool.query<{ seq: bigint; topic: string; payload: string; created_at: bigint }>(
      'SELECT seq, topic, payload, created_at FROM outbox WHERE seq > $1 ORDER BY seq LIMIT $2',
      [seq, limit],
    );
    return rows.map((r) => ({ seq: r.seq, topic: r.topic, payload: r.payload, createdAt: r.created_at }));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** Keyset paging: `sql` takes the last key seen and the page size. */
  private async *pages<R extends pg.QueryResultRow, K>(sql: string, first: K, size: number, key: (row: R) => K): AsyncIterable<R[]> {
    let after = first;
    for (;;) {
      const { rows } = await this.pool.query<R>(sql, [after, size]);
      if (rows.length === 0) return;
      after = key(rows[rows.length - 1]);
      yield rows;
    }
  }
}

/** Runs `work` in one transaction on one pooled connection; rolls back and rethrows on any error. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    // A connection that cannot even roll back is in an unknown state: the pool must discard it.
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Applies the migrations of `scope` that this schema has not seen yet (migrations.ts), inside the
 * caller's transaction. The advisory lock makes processes that start together take turns; the
 * later one then finds the migrations recorded and skips them.
 */
export async function migrate(client: pg.PoolClient, schema: string | undefined, scope: string, sources: readonly MigrationSource[]): Promise<void> {
  const declared = declaredMigrations(scope, sources);
  const sql = pgExecutor(client);
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`formica.migrate:${schema ?? ''}`]);
  if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(APPLIED_MIGRATIONS_TABLE);
  const applied = await sql.all<{ version: bigint; name: string; checksum: string }>(SELECT_APPLIED, [scope]);
  const hasLegacy = (await sql.get<{ present: boolean }>('SELECT to_regclass(?) IS NOT NULL AS present', [LEGACY_TABLE]))?.present === true;
  const legacy = hasLegacy ? await sql.all<{ version: bigint }>(SELECT_LEGACY, [scope]) : [];
  const plan = planMigrations(
    scope,
    declared,
    applied.map((a) => ({ ...a, version: Number(a.version) })),
    new Set(legacy.map((l) => Number(l.version))),
  );
  const record = (m: Migration) => sql.run(INSERT_APPLIED, [scope, m.version, m.name, m.checksum, Date.now()]);
  for (const m of plan.adopt) await record(m);
  if (hasLegacy) await sql.run(DELETE_LEGACY, [scope]);
  for (const m of plan.rename) await sql.run(RENAME_APPLIED, [m.name, scope, m.version]);
  for (const m of plan.apply) {
    await client.query(m.sql);
    await record(m);
  }
}

const LOCK_LEDGER_SQL = 'SELECT last_timestamp FROM ledger_meta WHERE id = 1 FOR UPDATE';

const TRANSFER_WITH_PENDING_SQL = `SELECT ${TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ')}, p.status, p.expires_at
  FROM transfers t LEFT JOIN pending_transfers p ON p.id = t.id WHERE t.id = ANY($1::text[])`;

type TransferWithPendingRow = TransferRow & { status: string | null; expires_at: bigint | null };

/** Reads what the batch names, with the same semantics as the SQLite store's load. */
async function load(client: pg.PoolClient, keys: BatchKeys, lastTimestamp: bigint): Promise<Snapshot> {
  const transfers = new Map<string, Transfer>();
  const pending = new Map<string, PendingState>();
  const failed = new Map<string, TransferResult>();
  const accountIds = new Set(keys.accountIds);
  const transferIds = [...keys.transferIds];
  if (transferIds.length > 0) {
    const found = await client.query<TransferWithPendingRow>({ name: 'formica_load_transfers', text: TRANSFER_WITH_PENDING_SQL, values: [transferIds] });
    for (const row of found.rows) {
      const transfer = transferFromRow(row);
      transfers.set(transfer.id, transfer);
      accountIds.add(transfer.debitAccountId);
      accountIds.add(transfer.creditAccountId);
      if (row.status !== null && row.expires_at !== null) pending.set(row.id, pendingFromRow({ id: row.id, status: row.status, expires_at: row.expires_at }));
    }
    const missing = transferIds.filter((id) => !transfers.has(id));
    if (missing.length > 0) {
      const failures = await client.query<{ id: string; result: string }>({
        name: 'formica_load_failures',
        text: 'SELECT id, result FROM failed_transfers WHERE id = ANY($1::text[])',
        values: [missing],
      });
      for (const f of failures.rows) failed.set(f.id, f.result as TransferResult);
    }
  }
  const accounts = new Map<string, Account>();
  if (accountIds.size > 0) {
    const found = await client.query<AccountRow>({
      name: 'formica_load_accounts',
      text: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY($1::text[])`,
      values: [[...accountIds]],
    });
    for (const row of found.rows) accounts.set(row.id, accountFromRow(row));
  }
  return { accounts, transfers, pending, failed, lastTimestamp };
}

// Every effect of a batch in one statement (one round trip): each data-modifying CTE is a
// set-based write over unnest()ed arrays, and an empty array simply writes nothing. The CTEs
// touch disjoint rows (changed accounts and resolved pendings never include the batch's new
// ones), so they do not need to see each other's effects.
const PERSIST_SQL = `
WITH new_accounts AS (
  INSERT INTO accounts (${ACCOUNT_COLUMNS})
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
), new_transfers AS (
  INSERT INTO transfers (${TRANSFER_COLUMNS})
  SELECT * FROM unnest($11::text[], $12::text[], $13::text[], $14::bigint[], $15::text[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::text[], $21::bigint[])
), changed_accounts AS (
  UPDATE accounts AS a SET flags = u.flags, debits_pending = u.debits_pending, debits_posted = u.debits_posted,
    credits_pending = u.credits_pending, credits_posted = u.credits_posted
  FROM unnest($22::text[], $23::bigint[], $24::bigint[], $25::bigint[], $26::bigint[], $27::bigint[])
    AS u (id, flags, debits_pending, debits_posted, credits_pending, credits_posted)
  WHERE a.id = u.id
), new_pending AS (
  INSERT INTO pending_transfers (id, debit_account_id, status, expires_at)
  SELECT * FROM unnest($28::text[], $29::text[], $30::text[], $31::bigint[])
), resolved_pending AS (
  UPDATE pending_transfers AS p SET status = u.status
  FROM unnest($32::text[], $33::text[]) AS u (id, status)
  WHERE p.id = u.id
), new_failures AS (
  INSERT INTO failed_transfers (id, result)
  SELECT * FROM unnest($34::text[], $35::text[])
), new_outbox AS (
  INSERT INTO outbox (topic, payload, created_at)
  SELECT e.topic, e.payload, $38::bigint FROM unnest($36::text[], $37::text[]) WITH ORDINALITY AS e (topic, payload, n)
  ORDER BY e.n
)
UPDATE ledger_meta SET last_timestamp = $38::bigint WHERE id = 1`;

/** The parameters of PERSIST_SQL, one array per column, in its placeholder order. */
function persistParams({ effects, outbox }: BatchWrite<unknown>): unknown[] {
  const { newAccounts: na, newTransfers: nt, changedAccounts: ca, newPending: np, resolvedPending: rp, newFailures: nf } = effects;
  const debitAccountOf = new Map(nt.map((t) => [t.id, t.debitAccountId]));
  return [
    ...[na.map((a) => a.id), na.map((a) => a.ledger), na.map((a) => a.code), na.map((a) => a.flags), na.map((a) => a.userData)],
    ...[na.map((a) => a.debitsPending), na.map((a) => a.debitsPosted), na.map((a) => a.creditsPending), na.map((a) => a.creditsPosted)],
    na.map((a) => a.timestamp),
    ...[nt.map((t) => t.id), nt.map((t) => t.debitAccountId), nt.map((t) => t.creditAccountId), nt.map((t) => t.amount)],
    ...[nt.map((t) => t.pendingId), nt.map((t) => t.timeout), nt.map((t) => t.ledger), nt.map((t) => t.code)],
    ...[nt.map((t) => t.flags), nt.map((t) => t.userData), nt.map((t) => t.timestamp)],
    ...[ca.map((a) => a.id), ca.map((a) => a.flags), ca.map((a) => a.debitsPending), ca.map((a) => a.debitsPosted)],
    ...[ca.map((a) => a.creditsPending), ca.map((a) => a.creditsPosted)],
    // A pending state is always created with its transfer, in the same batch.
    ...[np.map((p) => p.id), np.map((p) => ownerOf(debitAccountOf, p.id)), np.map((p) => p.status), np.map((p) => p.expiresAt)],
    ...[rp.map((p) => p.id), rp.map((p) => p.status)],
    ...[nf.map((f) => f.id), nf.map((f) => f.result)],
    ...[outbox.map((e) => e.topic), outbox.map((e) => e.payload)],
    effects.lastTimestamp,
  ];
}

function ownerOf(debitAccountOf: Map<string, string>, pendingId: string): string {
  const owner = debitAccountOf.get(pendingId);
  if (owner === undefined) throw new Error(`pending state ${pendingId} has no transfer in its batch`);
  return owner;
}
