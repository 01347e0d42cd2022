// How a ledger batch reads and writes PostgreSQL inside its write group, which holds the
// ledger_meta row lock. Reads take accounts from the writer's memory when it is trusted
// (write-cache.ts, validated by the writer generation) and the rest by `= ANY($1)`. Writes send
// the new transfers by binary COPY (one stream into a table with two indexes) and every other
// effect in one statement of data-modifying CTEs.
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Account, BatchKeys, PendingState, Snapshot, Transfer, TransferResult } from '../../ledger/index.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow, pendingFromRow, TRANSFER_COLUMNS, type TransferRow, transferFromRow } from '../rows.ts';
import type { WriteCache } from '../write-cache.ts';
import type { BatchWrite, OutboxEvent } from '../store.ts';
import { int8Array, textArray } from './array-literal.ts';
import { type CopyColumnType, encodeCopyBinary } from './copy-binary.ts';

const TRANSFER_WITH_PENDING_SQL = `SELECT ${TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ')}, p.status, p.expires_at
  FROM transfers t LEFT JOIN pending_transfers p ON p.id = t.id WHERE t.id = ANY($1::text[])`;

type TransferWithPendingRow = TransferRow & { status: string | null; expires_at: bigint | null };

/** Reads what the batch names, with the same semantics as the SQLite store's load. `cache` has
 *  been validated against the locked generation; `lastTimestamp` is the locked row's. */
export async function loadSnapshot(client: pg.PoolClient, keys: BatchKeys, cache: WriteCache, lastTimestamp: bigint): Promise<Snapshot> {
  const accountIds = new Set(keys.accountIds);
  const transferIds = [...keys.transferIds];
  // Transfer ids are always looked up: a fresh id's absence is known only to the table, whoever wrote last.
  const { transfers, pending } = await loadTransfers(client, transferIds);
  for (const transfer of transfers.values()) accountIds.add(transfer.debitAccountId).add(transfer.creditAccountId);
  const missing = transferIds.filter((id) => !transfers.has(id));
  return {
    accounts: await loadAccounts(client, accountIds, cache),
    transfers,
    pending,
    failed: await loadFailures(client, missing, cache),
    lastTimestamp,
  };
}

/** The stored transfers among `ids`, and the pending states stored with them. */
export async function loadTransfers(client: pg.ClientBase, ids: string[]): Promise<{ transfers: Map<string, Transfer>; pending: Map<string, PendingState> }> {
  const transfers = new Map<string, Transfer>();
  const pending = new Map<string, PendingState>();
  if (ids.length === 0) return { transfers, pending };
  const found = await client.query<TransferWithPendingRow>({ name: 'formica_load_transfers', text: TRANSFER_WITH_PENDING_SQL, values: [textArray(ids)] });
  for (const row of found.rows) {
    transfers.set(row.id, transferFromRow(row));
    if (row.status !== null && row.expires_at !== null) pending.set(row.id, pendingFromRow({ id: row.id, status: row.status, expires_at: row.expires_at }));
  }
  return { transfers, pending };
}

async function loadAccounts(client: pg.PoolClient, ids: Set<string>, cache: WriteCache): Promise<Map<string, Account>> {
  const accounts = new Map<string, Account>();
  const missing: string[] = [];
  for (const id of ids) {
    const cached = cache.account(id);
    if (cached) accounts.set(id, cached);
    else missing.push(id);
  }
  if (missing.length === 0) return accounts;
  const found = await client.query<AccountRow>({
    name: 'formica_load_accounts',
    text: `SELECT ${ACCOUNT_COLUMNS} FROM accounts WHERE id = ANY($1::text[])`,
    values: [textArray(missing)],
  });
  for (const row of found.rows) {
    const account = accountFromRow(row);
    cache.remember(account);
    accounts.set(account.id, account);
  }
  return accounts;
}

/** Failed ids among `ids`; skipped while the writer knows no id has ever failed. */
async function loadFailures(client: pg.PoolClient, ids: string[], cache: WriteCache): Promise<Map<string, TransferResult>> {
  const failed = new Map<string, TransferResult>();
  if (ids.length === 0) return failed;
  if (cache.hasFailures === null) {
    const any = await client.query<{ any: boolean }>({ name: 'formica_any_failure', text: 'SELECT EXISTS (SELECT 1 FROM failed_transfers) AS any' });
    cache.hasFailures = any.rows[0].any;
  }
  if (!cache.hasFailures) return failed;
  return loadStoredFailures(client, ids);
}

/** The failures stored under `ids`. */
export async function loadStoredFailures(client: pg.ClientBase, ids: string[]): Promise<Map<string, TransferResult>> {
  const failed = new Map<string, TransferResult>();
  if (ids.length === 0) return failed;
  const found = await client.query<{ id: string; result: string }>({
    name: 'formica_load_failures',
    text: 'SELECT id, result FROM failed_transfers WHERE id = ANY($1::text[])',
    values: [textArray(ids)],
  });
  for (const f of found.rows) failed.set(f.id, f.result as TransferResult);
  return failed;
}

/** Writes the batch's effects and outbox, and stamps ledger_meta with `generation`. */
export async function persistBatch(
  client: pg.PoolClient,
  written: BatchWrite<unknown>,
  generation: bigint,
  phases?: { copyMs: number; persistMs: number },
): Promise<void> {
  const started = performance.now();
  await copyNewTransfers(client, written);
  const copied = performance.now();
  await persistEffects(client, written, generation);
  if (phases) {
    phases.copyMs += copied - started;
    phases.persistMs += performance.now() - copied;
  }
}

/** The batch's new transfers, by binary COPY (nothing when it has none). */
export async function copyNewTransfers(client: pg.PoolClient, written: BatchWrite<unknown>): Promise<void> {
  if (written.effects.newTransfers.length > 0) await copyTransfers(client, written.effects.newTransfers);
}

/** Every other effect and the outbox in one statement, which also stamps ledger_meta with `generation`. */
export async function persistEffects(client: pg.PoolClient, written: BatchWrite<unknown>, generation: bigint): Promise<void> {
  const { effects, outbox } = written;
  const values = [...effectParams({ ...effects, newAccountKeys: [] }), ...outboxParams(outbox), effects.lastTimestamp, generation];
  await client.query({ name: 'formica_persist_batch', text: PERSIST_SQL, values });
}

const COPY_TRANSFERS_SQL = `COPY transfers (${TRANSFER_COLUMNS}) FROM STDIN (FORMAT binary)`;
const TRANSFER_TYPES: readonly CopyColumnType[] = ['text', 'text', 'text', 'int8', 'text', 'int8', 'int8', 'int8', 'int8', 'text', 'int8'];

export async function copyTransfers(client: pg.PoolClient, transfers: readonly Transfer[]): Promise<void> {
  const rows = transfers.map((t) => [
    ...[t.id, t.debitAccountId, t.creditAccountId, t.amount, t.pendingId],
    ...[BigInt(t.timeout), BigInt(t.ledger), BigInt(t.code), BigInt(t.flags), t.userData, t.timestamp],
  ]);
  const stream = client.query(copyFrom(COPY_TRANSFERS_SQL));
  stream.end(encodeCopyBinary(TRANSFER_TYPES, rows));
  await finished(stream);
}

// Every other effect of a batch in one statement (one round trip): each data-modifying CTE is a
// set-based write over unnest()ed arrays, and an empty array simply writes nothing. The CTEs
// touch disjoint rows (changed accounts and resolved pendings never include the batch's new
// ones), so they do not need to see each other's effects. New accounts' log keys ($25) are an
// empty array in the tables layout: unnest pads it with NULLs.
export const EFFECT_CTES = `
new_accounts AS (
  INSERT INTO accounts (${ACCOUNT_COLUMNS}, key)
  SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $25::bigint[])
), changed_accounts AS (
  UPDATE accounts AS a SET flags = u.flags, debits_pending = u.debits_pending, debits_posted = u.debits_posted,
    credits_pending = u.credits_pending, credits_posted = u.credits_posted
  FROM unnest($11::text[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[])
    AS u (id, flags, debits_pending, debits_posted, credits_pending, credits_posted)
  WHERE a.id = u.id
), new_pending AS (
  INSERT INTO pending_transfers (id, debit_account_id, status, expires_at)
  SELECT * FROM unnest($17::text[], $18::text[], $19::text[], $20::bigint[])
), resolved_pending AS (
  UPDATE pending_transfers AS p SET status = u.status
  FROM unnest($21::text[], $22::text[]) AS u (id, status)
  WHERE p.id = u.id
), new_failures AS (
  INSERT INTO failed_transfers (id, result)
  SELECT * FROM unnest($23::text[], $24::text[])
)`;

/** A batch's outbox, in order, stamped with the batch's last timestamp. */
export const outboxCte = (topics: string, payloads: string, createdAt: string) => `new_outbox AS (
  INSERT INTO outbox (topic, payload, created_at)
  SELECT e.topic, e.payload, ${createdAt}::bigint FROM unnest(${topics}::text[], ${payloads}::text[]) WITH ORDINALITY AS e (topic, payload, n)
  ORDER BY e.n
)`;

const PERSIST_SQL = `WITH ${EFFECT_CTES}, ${outboxCte('$26', '$27', '$28')}
UPDATE ledger_meta SET last_timestamp = $28::bigint, writer_generation = $29::bigint WHERE id = 1`;

/** The effects EFFECT_CTES writes: a changed account needs only its flags and balances. */
export interface TableEffects {
  readonly newAccounts: readonly Account[];
  /** Their log keys, in the log layout; empty in the tables layout. */
  readonly newAccountKeys: readonly number[];
  readonly changedAccounts: readonly Pick<Account, 'id' | 'flags' | 'debitsPending' | 'debitsPosted' | 'creditsPending' | 'creditsPosted'>[];
  /** The batch's transfers: a new pending state's owner is its transfer's debit account. */
  readonly newTransfers: readonly Transfer[];
  readonly newPending: readonly PendingState[];
  readonly resolvedPending: readonly PendingState[];
  readonly newFailures: readonly { readonly id: string; readonly result: TransferResult }[];
}

/** The parameters $1-$25 of EFFECT_CTES, one array literal per column, in placeholder order. */
export function effectParams(effects: TableEffects): unknown[] {
  const { newAccounts: na, newTransfers: nt, changedAccounts: ca, newPending: np, resolvedPending: rp, newFailures: nf } = effects;
  const debitAccountOf = new Map(nt.map((t) => [t.id, t.debitAccountId]));
  return [
    ...[textArray(na.map((a) => a.id)), int8Array(na.map((a) => a.ledger)), int8Array(na.map((a) => a.code)), int8Array(na.map((a) => a.flags))],
    textArray(na.map((a) => a.userData)),
    ...[int8Array(na.map((a) => a.debitsPending)), int8Array(na.map((a) => a.debitsPosted)), int8Array(na.map((a) => a.creditsPending))],
    ...[int8Array(na.map((a) => a.creditsPosted)), int8Array(na.map((a) => a.timestamp))],
    ...[textArray(ca.map((a) => a.id)), int8Array(ca.map((a) => a.flags)), int8Array(ca.map((a) => a.debitsPending)), int8Array(ca.map((a) => a.debitsPosted))],
    ...[int8Array(ca.map((a) => a.creditsPending)), int8Array(ca.map((a) => a.creditsPosted))],
    // A pending state is always created with its transfer, in the same batch.
    ...[textArray(np.map((p) => p.id)), textArray(np.map((p) => ownerOf(debitAccountOf, p.id))), textArray(np.map((p) => p.status))],
    int8Array(np.map((p) => p.expiresAt)),
    ...[textArray(rp.map((p) => p.id)), textArray(rp.map((p) => p.status))],
    ...[textArray(nf.map((f) => f.id)), textArray(nf.map((f) => f.result))],
    int8Array(effects.newAccountKeys),
  ];
}

/** The outbox's two array parameters. */
export function outboxParams(outbox: readonly OutboxEvent[]): [string, string] {
  return [textArray(outbox.map((e) => e.topic)), textArray(outbox.map((e) => e.payload))];
}

function ownerOf(debitAccountOf: Map<string, string>, pendingId: string): string {
  const owner = debitAccountOf.get(pendingId);
  if (owner === undefined) throw new Error(`pending state ${pendingId} has no transfer in its batch`);
  return owner;
}
