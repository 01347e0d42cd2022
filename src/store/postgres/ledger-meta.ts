// The ledger_meta row as the PostgreSQL writers use it: the lock that orders write groups of every
// process, the generation that tells a writer whether its memory still holds (decision 32), and
// the time each phase of a group took.
import type pg from 'pg';
import type { WriteStamp } from '../write-cache.ts';

// Only while the database is in the tables layout: a process opened before another converted it
// to the log layout (decision 42) must not write rows the log would never hold.
const LOCK_LEDGER_SQL = "SELECT last_timestamp, writer_generation FROM ledger_meta WHERE id = 1 AND layout = 'tables' FOR UPDATE";

export interface LockedMeta {
  last_timestamp: bigint;
  writer_generation: bigint;
}

/** Locks the ledger_meta row for a tables-layout write group. */
export async function lockLedger(client: pg.ClientBase): Promise<LockedMeta> {
  const { rows } = await client.query<LockedMeta>({ name: 'formica_lock_ledger', text: LOCK_LEDGER_SQL });
  if (rows.length === 0) throw new Error('another process converted this database to the log layout: restart this one with FORMICA_PG_LAYOUT=log');
  return rows[0];
}

/** The generation plays data_version's part; nothing but a batch writes the ledger's rows, so the
 *  other half of the SQLite stamp has nothing to count here. */
export function generationStamp(generation: bigint): WriteStamp {
  return { dataVersion: generation, changes: 0n };
}

/** Milliseconds summed over the write groups, by phase (pipelined groups overlap, so the sum may
 *  pass the wall time). */
export interface PostgresPhases {
  groups: number;
  /** BEGIN and the ledger_meta row lock (waiting for another writer included). */
  lockMs: number;
  loadMs: number;
  computeMs: number;
  /** The new transfers' binary COPY. */
  copyMs: number;
  /** The statement of every other effect (pipelined: with the row lock taken just before it). */
  persistMs: number;
  /** Modules' SQL and anything else the group's work does around its batch. */
  otherMs: number;
  commitMs: number;
  /** Pipelined groups only: waiting for the group before to commit. */
  waitMs: number;
  /** Pipelined groups run again from the durable state because the group before did not commit. */
  retries: number;
}

export function emptyPostgresPhases(): PostgresPhases {
  return { groups: 0, lockMs: 0, loadMs: 0, computeMs: 0, copyMs: 0, persistMs: 0, otherMs: 0, commitMs: 0, waitMs: 0, retries: 0 };
}
