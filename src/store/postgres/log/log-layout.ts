// Which layout a PostgreSQL database keeps its ledger in, and turning it over to the log layout.
// A fresh database just records `layout = 'log'`. One the tables layout has written is converted
// in one transaction under the ledger_meta lock: its ledger becomes log rows (so the log folds to
// every balance from its first row, as `verify` checks), its accounts get their log keys, and the
// watermark is set past those rows, since the tables already hold them. The other way round is
// refused: the tables would lag the log.
import type pg from 'pg';
import type { TransferResult } from '../../../ledger/index.ts';
import { encodeRecord } from '../../log/codec.ts';
import { tablesToLog } from '../../log/tables-to-log.ts';
import {
  ACCOUNT_COLUMNS,
  type AccountRow,
  accountFromRow,
  type PendingRow,
  pendingFromRow,
  TRANSFER_COLUMNS,
  type TransferRow,
  transferFromRow,
} from '../../rows.ts';
import { int8Array, textArray } from '../array-literal.ts';
import { withTransaction } from '../transaction.ts';

export type PostgresLayout = 'tables' | 'log';

/** FORMICA_PG_LAYOUT: `log` or `tables`; unset, the layout the database records. */
export function layoutFromEnv(value: string | undefined): PostgresLayout | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'log' || value === 'tables') return value;
  throw new Error(`FORMICA_PG_LAYOUT must be log or tables, not ${value}`);
}

/** The layout to open in: `wanted`, or the recorded one. A log database opened as tables is refused. */
export async function chooseLayout(pool: pg.Pool, wanted: PostgresLayout | undefined): Promise<PostgresLayout> {
  const { rows } = await pool.query<{ layout: PostgresLayout }>('SELECT layout FROM ledger_meta WHERE id = 1');
  const recorded = rows[0].layout;
  if (recorded === 'log' && wanted === 'tables')
    throw new Error('this database keeps its ledger in the log layout; it cannot be opened in the tables layout (FORMICA_PG_LAYOUT=tables)');
  return wanted ?? recorded;
}

export function adoptLogLayout(pool: pg.Pool): Promise<void> {
  return withTransaction(pool, async (client) => {
    const meta = (await client.query<{ layout: string; last_timestamp: bigint }>('SELECT layout, last_timestamp FROM ledger_meta WHERE id = 1 FOR UPDATE'))
      .rows[0];
    if (meta.layout === 'log') return;
    const seq = await convertTables(client, meta.last_timestamp);
    await client.query("UPDATE ledger_meta SET layout = 'log', log_seq = $1 WHERE id = 1", [seq]);
    await client.query('UPDATE ledger_materialized SET through = $1 WHERE id = 1', [seq]);
  });
}

/** Appends the tables' ledger as log rows and keys the accounts; returns the last seq. */
async function convertTables(client: pg.PoolClient, lastTimestamp: bigint): Promise<number> {
  const all = async <R extends pg.QueryResultRow>(sql: string) => (await client.query<R>(sql)).rows;
  const { records, keys } = tablesToLog({
    accounts: (await all<AccountRow>(`SELECT ${ACCOUNT_COLUMNS} FROM accounts ORDER BY timestamp`)).map(accountFromRow),
    transfers: (await all<TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM transfers ORDER BY timestamp`)).map(transferFromRow),
    pending: (await all<PendingRow>('SELECT id, status, expires_at FROM pending_transfers')).map(pendingFromRow),
    failures: await all<{ id: string; result: TransferResult }>('SELECT id, result FROM failed_transfers'),
    lastTimestamp,
  });
  const keyOf = (id: string) => keys.get(id) as number;
  for (const [i, record] of records.entries()) {
    const blobs = encodeRecord(record, keyOf);
    await client.query('INSERT INTO ledger_log (seq, last_timestamp, accounts, transfers, pending, failures) VALUES ($1, $2, $3, $4, $5, $6)', [
      i + 1,
      lastTimestamp,
      blobs.accounts,
      blobs.transfers,
      blobs.pending,
      blobs.failures,
    ]);
  }
  await client.query('UPDATE accounts AS a SET key = k.key FROM unnest($1::text[], $2::bigint[]) AS k (id, key) WHERE a.id = k.id', [
    textArray([...keys.keys()]),
    int8Array([...keys.values()]),
  ]);
  return records.length;
}
