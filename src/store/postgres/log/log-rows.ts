// The PostgreSQL log layout's own statements: the ledger_meta lock that also returns the log's
// last seq, reading log rows in order, appending a batch's row with its outbox in one statement,
// and loading the writer's memory from the materialized tables at open.
import type pg from 'pg';
import type { LedgerMemory } from '../../log/ledger-memory.ts';
import { decodeRecord, encodeRecord, type LogRecord, type StoredLogRow } from '../../log/codec.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow, type PendingRow, pendingFromRow } from '../../rows.ts';
import type { OutboxEvent } from '../../store.ts';
import { outboxCte, outboxParams } from '../batch-io.ts';

export const LOCK_LOG_SQL = 'SELECT log_seq FROM ledger_meta WHERE id = 1 FOR UPDATE';

const APPEND_SQL = `WITH appended AS (
  INSERT INTO ledger_log (seq, last_timestamp, accounts, transfers, pending, failures) VALUES ($1, $2, $3, $4, $5, $6)
), ${outboxCte('$7', '$8', '$2')}
UPDATE ledger_meta SET log_seq = $1, last_timestamp = $2 WHERE id = 1`;

/** Log rows read per statement when catching up. */
const READ_ROWS = 64;

/** Appends `record` as row `seq`, with the group's outbox, and moves ledger_meta to it. */
export async function appendRow(
  client: pg.ClientBase,
  seq: number,
  record: LogRecord,
  keyOf: (id: string) => number,
  outbox: readonly OutboxEvent[],
): Promise<void> {
  const blobs = encodeRecord(record, keyOf);
  const values = [seq, record.lastTimestamp, blobs.accounts, blobs.transfers, blobs.pending, blobs.failures, ...outboxParams(outbox)];
  await client.query({ name: 'formica_append_log', text: APPEND_SQL, values });
}

export async function lastSeq(db: pg.ClientBase | pg.Pool): Promise<number> {
  const { rows } = await db.query<{ log_seq: bigint }>({ name: 'formica_log_seq', text: 'SELECT log_seq FROM ledger_meta WHERE id = 1' });
  return Number(rows[0].log_seq);
}

/** Applies rows `memory.seq` < seq <= `through` to `memory` in order (`fold` applies one). Rows are
 *  decoded one at a time, as each may name accounts the rows before it created. */
export async function foldRows(
  db: pg.ClientBase | pg.Pool,
  memory: LedgerMemory,
  through: number,
  fold: (seq: number, record: LogRecord) => void,
): Promise<void> {
  while (memory.seq < through) {
    const { rows } = await db.query<StoredLogRow>({
      name: 'formica_read_log',
      text: 'SELECT seq, last_timestamp, accounts, transfers, pending, failures FROM ledger_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3',
      values: [memory.seq, through, READ_ROWS],
    });
    if (rows.length === 0) throw new Error(`log rows ${memory.seq + 1} to ${through} are missing`);
    for (const row of rows) {
      const seq = Number(row.seq);
      // A concurrent fold may have applied it already.
      if (seq <= memory.seq) continue;
      fold(
        seq,
        decodeRecord(row, row.last_timestamp, (key) => memory.idOf(key)),
      );
    }
  }
}

/** Memory as the tables hold it, read in one snapshot with the watermark they are materialized through. */
export async function loadMaterialized(client: pg.ClientBase, memory: LedgerMemory): Promise<{ through: number; logSeq: number }> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    const through = Number((await client.query<{ through: bigint }>('SELECT through FROM ledger_materialized WHERE id = 1')).rows[0].through);
    const meta = (await client.query<{ last_timestamp: bigint; log_seq: bigint }>('SELECT last_timestamp, log_seq FROM ledger_meta WHERE id = 1')).rows[0];
    const accounts = await client.query<AccountRow & { key: bigint }>(`SELECT key, ${ACCOUNT_COLUMNS} FROM accounts ORDER BY key`);
    for (const row of accounts.rows) memory.loadAccount(Number(row.key), accountFromRow(row));
    const pending = await client.query<PendingRow>("SELECT id, status, expires_at FROM pending_transfers WHERE status = 'pending'");
    for (const row of pending.rows) memory.pending.set(row.id, pendingFromRow(row));
    memory.hasFailures = (await client.query<{ any: boolean }>('SELECT EXISTS (SELECT 1 FROM failed_transfers) AS any')).rows[0].any;
    memory.seq = through;
    memory.lastTimestamp = meta.last_timestamp;
    await client.query('COMMIT');
    return { through, logSeq: Number(meta.log_seq) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
