// What only the PostgreSQL store does: a writer that keeps accounts in memory between its own
// batches must never act on them after another process wrote, and an account's history must be
// whole right after a commit, before the catch-up has indexed it; in both layouts. Runs when
// DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag, type TransferEvent } from '../../ledger/index.ts';
import { TRANSFER_COLUMNS } from '../rows.ts';
import { migrate, PostgresStore } from './postgres-store.ts';
import { POSTGRES_MIGRATIONS } from './schema.ts';
import { withTransaction } from './transaction.ts';

const url = process.env.DATABASE_URL;
const run = `store_pg_${randomBytes(4).toString('hex')}`;
const LEDGER = 840;
/** Catch-up never runs by itself here: the tests call it when they mean to. */
const NO_CATCH_UP = { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 0 };

function move(id: string, from: string, to: string, amount: bigint): TransferEvent {
  return { id, debitAccountId: from, creditAccountId: to, amount, pendingId: null, timeout: 0, ledger: LEDGER, code: 1, flags: 0, userData: null };
}

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe.skipIf(!url).each(['tables', 'log'] as const)('PostgreSQL store (%s layout)', (layout) => {
  const schema = `${run}_${layout}`;
  /** A store first opened by the version before the history table. */
  const oldSchema = `${schema}_old`;
  const clock = new ManualClock();
  let a: PostgresStore;
  let b: PostgresStore;
  let engineA: LedgerEngine;
  let engineB: LedgerEngine;

  beforeAll(async () => {
    // Two pools on one schema, as two API processes would have.
    a = await PostgresStore.open({ url: url ?? '', schema, poolSize: 2, catchUp: NO_CATCH_UP, layout });
    b = await PostgresStore.open({ url: url ?? '', schema, poolSize: 2, catchUp: NO_CATCH_UP, layout });
    engineA = new LedgerEngine(a, clock);
    engineB = new LedgerEngine(b, clock);
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await onServer(`DROP SCHEMA IF EXISTS ${schema}, ${oldSchema} CASCADE`);
  });

  async function open(ids: string[], flags = 0): Promise<void> {
    const results = await engineA.createAccounts(ids.map((id) => ({ id, ledger: LEDGER, code: 1, flags, userData: '' })));
    expect(results).toEqual(ids.map(() => 'ok'));
  }

  it('never spends from a cached balance after the other process wrote between two of its batches', async () => {
    await open(['turns-bank', 'turns-shop']);
    await open(['turns-wallet'], AccountFlag.debits_must_not_exceed_credits);
    expect(await engineA.createTransfers([move('turns-fund', 'turns-bank', 'turns-wallet', 100n)])).toEqual(['ok']);
    expect(await engineA.createTransfers([move('turns-a1', 'turns-wallet', 'turns-shop', 60n)])).toEqual(['ok']);
    // B spends 30 of the 40 left; A, whose memory still says 40, must see 10.
    expect(await engineB.createTransfers([move('turns-b1', 'turns-wallet', 'turns-shop', 30n)])).toEqual(['ok']);
    expect(await engineA.createTransfers([move('turns-a2', 'turns-wallet', 'turns-shop', 20n)])).toEqual(['exceeds_credits']);
    expect(await engineA.createTransfers([move('turns-a3', 'turns-wallet', 'turns-shop', 10n)])).toEqual(['ok']);
    // And the other way round: B's memory from its own batch is stale after A's.
    expect(await engineB.createTransfers([move('turns-b2', 'turns-wallet', 'turns-shop', 1n)])).toEqual(['exceeds_credits']);
    const wallet = await b.getAccount('turns-wallet');
    expect({ debits: wallet?.debitsPosted, credits: wallet?.creditsPosted }).toEqual({ debits: 100n, credits: 100n });
    // An id written by one process is a duplicate for the other.
    expect(await engineB.createTransfers([move('turns-a3', 'turns-wallet', 'turns-shop', 10n)])).toEqual(['exists']);
  });

  it('keeps ids and outbox payloads with quotes, backslashes, commas and braces exactly as sent', async () => {
    const odd = ['odd "quoted"', 'odd \\ back\\slash', 'odd,comma', 'odd {brace}', 'odd NULL', 'odd 元'];
    await open(odd);
    const payload = JSON.stringify({ note: 'a "quote", a \\ and {braces}' });
    const before = (await a.outboxAfter(0n, 1000)).length;
    const moves = odd.slice(1).map((to, i) => move(`odd-move-${i}`, odd[0], to, 1n));
    expect(await engineA.createTransfers(moves, [{ topic: 'odd.moved', payload }])).toEqual(moves.map(() => 'ok'));
    for (const id of odd) expect((await b.getAccount(id))?.id).toBe(id);
    expect((await b.listAccountTransfers(odd[0], { limit: 10 })).transfers.map((t) => t.creditAccountId)).toEqual(odd.slice(1));
    const events = await b.outboxAfter(0n, 1000);
    expect(events.slice(before).map((e) => e.payload)).toEqual([payload]);
  });

  it("has an account's whole history right after commit, before and after the catch-up indexed it", async () => {
    await open(['hist-bank', 'hist-user', 'hist-shop']);
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `hist-${prefix}-${String(i).padStart(2, '0')}`);
    const first = ids('a', 5);
    await engineA.createTransfers(first.map((id) => move(id, 'hist-bank', 'hist-user', 10n)));
    const history = async (query = {}) => (await b.listAccountTransfers('hist-user', { limit: 100, ...query })).transfers.map((t) => t.id);
    expect(await history()).toEqual(first);

    await a.catchUpAccountIndex();
    const second = ids('b', 4);
    await engineB.createTransfers(second.map((id) => move(id, 'hist-user', 'hist-shop', 1n)));
    // The first five from the index, the next four from the unindexed tail, in one page or several.
    expect(await history()).toEqual([...first, ...second]);
    const page = await a.listAccountTransfers('hist-user', { limit: 3 });
    const rest = await a.listAccountTransfers('hist-user', { limit: 100, after: page.next ?? 0n });
    expect([...page.transfers, ...rest.transfers].map((t) => t.id)).toEqual([...first, ...second]);
    expect((await b.listAccountTransfers('hist-shop', { limit: 100 })).transfers.map((t) => t.id)).toEqual(second);

    await b.catchUpAccountIndex();
    expect(await history()).toEqual([...first, ...second]);
    const until = (await a.getTransfer(second[1]))?.timestamp;
    expect(await history({ after: (await a.getTransfer(first[3]))?.timestamp, until })).toEqual([first[4], second[0], second[1]]);
  });

  // Transfers with no accounts: only the tables layout ever held such rows.
  it.skipIf(layout === 'log')('indexes the history of transfers written before the history table existed', async () => {
    const pool = new pg.Pool({ connectionString: url, options: `-c search_path=${oldSchema}` });
    try {
      await withTransaction(pool, (client) => migrate(client, oldSchema, 'ledger', POSTGRES_MIGRATIONS.slice(0, 2)));
      const row = (id: string, debit: string, credit: string, ts: number) => `('${id}', '${debit}', '${credit}', 5, '', 0, ${LEDGER}, 1, 0, '', ${ts})`;
      await pool.query(
        `INSERT INTO transfers (${TRANSFER_COLUMNS}) VALUES ${[row('old-1', 'old-x', 'old-y', 10), row('old-2', 'old-y', 'old-z', 20)].join(', ')}`,
      );
    } finally {
      await pool.end();
    }
    const store = await PostgresStore.open({ url: url ?? '', schema: oldSchema, catchUp: NO_CATCH_UP, layout });
    try {
      const ids = async (account: string) => (await store.listAccountTransfers(account, { limit: 10 })).transfers.map((t) => t.id);
      expect([await ids('old-x'), await ids('old-y'), await ids('old-z')]).toEqual([['old-1'], ['old-1', 'old-2'], ['old-2']]);
      const indexed = await store.pool.query<{ n: bigint }>('SELECT count(*) AS n FROM account_transfers');
      expect(indexed.rows[0].n).toBe(4n);
    } finally {
      await store.close();
    }
  });
});
