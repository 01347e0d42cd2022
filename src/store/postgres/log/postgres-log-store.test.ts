// What only the PostgreSQL log layout does: one log row per batch on the commit path, the tables
// materialized behind it, a tables database converted in place, `verify`'s fold of the log against
// memory and the tables, and a materializer that fails and heals. Runs when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/clock.ts';
import { LedgerEngine } from '../../../engine/ledger-engine.ts';
import { AccountFlag, type TransferEvent, TransferFlag } from '../../../ledger/index.ts';
import { PostgresStore } from '../postgres-store.ts';
import type { PostgresLogStore } from './postgres-log-store.ts';

const url = process.env.DATABASE_URL ?? '';
const run = `pglog_${randomBytes(4).toString('hex')}`;
const LEDGER = 156;
const NO_CATCH_UP = { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 0 };
const asLog = (store: PostgresStore) => store as PostgresLogStore;

function move(id: string, from: string, to: string, amount: bigint, extra: Partial<TransferEvent> = {}): TransferEvent {
  return { id, debitAccountId: from, creditAccountId: to, amount, pendingId: null, timeout: 0, ledger: LEDGER, code: 1, flags: 0, userData: null, ...extra };
}

describe.skipIf(!url)('PostgreSQL log layout', () => {
  const clock = new ManualClock();
  const admin = new pg.Pool({ connectionString: url, max: 2 });
  const schemas: string[] = [];
  const stores: PostgresStore[] = [];

  async function open(name: string, layout: 'tables' | 'log'): Promise<{ store: PostgresStore; engine: LedgerEngine }> {
    const schema = `${run}_${name}`;
    if (!schemas.includes(schema)) schemas.push(schema);
    const store = await PostgresStore.open({ url, schema, poolSize: 3, catchUp: NO_CATCH_UP, layout });
    stores.push(store);
    return { store, engine: new LedgerEngine(store, clock) };
  }

  async function close(store: PostgresStore): Promise<void> {
    stores.splice(stores.indexOf(store), 1);
    await store.close();
  }

  const on = async <R extends pg.QueryResultRow>(schema: string, sql: string) =>
    (await admin.query<R>(`SET search_path = ${run}_${schema}; ${sql}`)) as unknown as pg.QueryResult<R>[];

  async function accounts(engine: LedgerEngine, ids: string[], flags = 0): Promise<void> {
    expect(await engine.createAccounts(ids.map((id) => ({ id, ledger: LEDGER, code: 1, flags, userData: '' })))).toEqual(ids.map(() => 'ok'));
  }

  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
  });

  it('appends one log row per batch and materializes the tables behind it', async () => {
    const { store, engine } = await open('rows', 'log');
    expect(store.layout).toBe('log');
    await accounts(engine, ['bank', 'user']);
    for (let i = 0; i < 3; i++)
      expect(await engine.createTransfers([move(`t${i}a`, 'bank', 'user', 5n), move(`t${i}b`, 'bank', 'user', 1n)])).toEqual(['ok', 'ok']);
    const [, meta] = await on<{ log_seq: number; rows: number }>(
      'rows',
      'SELECT log_seq::int, (SELECT count(*)::int FROM ledger_log) AS rows FROM ledger_meta',
    );
    // The accounts' batch and three transfer batches.
    expect(meta.rows[0]).toEqual({ log_seq: 4, rows: 4 });
    expect(await store.counts()).toEqual({ accounts: 2n, transfers: 6n });
    const [, materialized] = await on<{ through: number }>('rows', 'SELECT through::int FROM ledger_materialized');
    expect(materialized.rows[0].through).toBe(4);
    const [, user] = await on<{ credits_posted: number; key: number }>('rows', "SELECT credits_posted::int, key::int FROM accounts WHERE id = 'user'");
    expect(user.rows[0]).toEqual({ credits_posted: 18, key: 2 });
    expect(await asLog(store).selfCheck()).toEqual([]);
  });

  it("reports an account whose materialized balance differs from the log's fold", async () => {
    const { store, engine } = await open('tamper', 'log');
    await accounts(engine, ['from', 'to']);
    expect(await engine.createTransfers([move('x1', 'from', 'to', 7n)])).toEqual(['ok']);
    await store.counts();
    await on('tamper', "UPDATE accounts SET credits_posted = credits_posted + 1 WHERE id = 'to'");
    expect(await asLog(store).selfCheck()).toEqual(['account to: creditsPosted is 7 by the log, 8 in the tables']);
  });

  it('converts a database the tables layout wrote, and refuses to open it as tables again', async () => {
    const before = await open('convert', 'tables');
    await accounts(before.engine, ['c-bank', 'c-shop']);
    await accounts(before.engine, ['c-wallet'], AccountFlag.debits_must_not_exceed_credits);
    const events = [
      move('c-fund', 'c-bank', 'c-wallet', 100n),
      move('c-hold', 'c-wallet', 'c-shop', 30n, { flags: TransferFlag.pending, timeout: 3600 }),
      move('c-held', 'c-wallet', 'c-shop', 20n, { flags: TransferFlag.pending }),
      move('c-over', 'c-wallet', 'c-shop', 1_000n),
    ];
    expect(await before.engine.createTransfers(events)).toEqual(['ok', 'ok', 'ok', 'exceeds_credits']);
    expect(
      await before.engine.createTransfers([move('c-post', 'c-wallet', 'c-shop', 20n, { pendingId: 'c-held', flags: TransferFlag.post_pending_transfer })]),
    ).toEqual(['ok']);
    const ids = ['c-bank', 'c-shop', 'c-wallet'];
    const balances = async (store: PostgresStore) => Promise.all(ids.map((id) => store.getAccount(id)));
    const expected = await balances(before.store);

    const after = await open('convert', 'log');
    // A process still in the tables layout must not write rows the log would never hold.
    await expect(before.engine.createTransfers([move('c-stale', 'c-bank', 'c-shop', 1n)])).rejects.toThrow(/converted this database to the log layout/);
    await close(before.store);
    expect(await balances(after.store)).toEqual(expected);
    expect(await asLog(after.store).selfCheck()).toEqual([]);
    const [, meta] = await on<{ layout: string; log_seq: number; through: number }>(
      'convert',
      'SELECT layout, log_seq::int, (SELECT through::int FROM ledger_materialized) AS through FROM ledger_meta',
    );
    // Accounts, transfers, pending states and failures: one converted row each, already in the tables.
    expect(meta.rows[0]).toEqual({ layout: 'log', log_seq: 4, through: 4 });
    // What the tables held still answers, once memory's id filter has them all (it rules out only
    // ids it was never given): a replayed id, a failed id, a pending transfer to post.
    await asLog(after.store).heldIdScan?.done;
    expect(asLog(after.store).memory.heldIds.state.answering).toBe(true);
    expect(await after.engine.createTransfers([move('c-fund', 'c-bank', 'c-wallet', 100n)])).toEqual(['exists']);
    expect(await after.engine.createTransfers([move('c-over', 'c-wallet', 'c-shop', 1_000n)])).toEqual(['id_already_failed']);
    expect(
      await after.engine.createTransfers([move('c-post2', 'c-wallet', 'c-shop', 30n, { pendingId: 'c-hold', flags: TransferFlag.post_pending_transfer })]),
    ).toEqual(['ok']);
    expect(
      await after.engine.createTransfers([move('c-post3', 'c-wallet', 'c-shop', 20n, { pendingId: 'c-held', flags: TransferFlag.post_pending_transfer })]),
    ).toEqual(['pending_transfer_already_posted']);
    expect((await after.store.getAccount('c-wallet'))?.debitsPosted).toBe(50n);
    expect(await asLog(after.store).selfCheck()).toEqual([]);
    await close(after.store);
    await expect(open('convert', 'tables')).rejects.toThrow(/log layout/);
  });

  it('answers from memory while materialization fails, and heals once the cause is gone', async () => {
    const { store, engine } = await open('heal', 'log');
    await accounts(engine, ['h-a', 'h-b']);
    await store.counts();
    await on(
      'heal',
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk full (test)'; END $$;
       CREATE TRIGGER refuse BEFORE INSERT ON transfers FOR EACH STATEMENT EXECUTE FUNCTION refuse();`,
    );
    // The commit path writes only the log: acknowledged, and read back from memory.
    expect(await engine.createTransfers([move('h1', 'h-a', 'h-b', 3n)])).toEqual(['ok']);
    expect((await store.getAccount('h-b'))?.creditsPosted).toBe(3n);
    expect((await store.getTransfer('h1'))?.amount).toBe(3n);
    await expect(store.counts()).rejects.toThrow(/disk full/);
    expect(asLog(store).health()).toMatchObject({ status: 'degraded', detail: expect.stringContaining('disk full') });
    await on('heal', 'DROP TRIGGER refuse ON transfers');
    expect(await store.counts()).toEqual({ accounts: 2n, transfers: 1n });
    expect(asLog(store).health().status).toBe('ok');
    expect(await asLog(store).selfCheck()).toEqual([]);
  });

  it('folds in the rows another process appended before answering a read', async () => {
    const a = await open('fold', 'log');
    const b = await open('fold', 'log');
    await accounts(a.engine, ['f-a', 'f-b']);
    expect((await b.store.getAccount('f-a'))?.id).toBe('f-a');
    expect(await b.engine.createTransfers([move('f1', 'f-a', 'f-b', 4n)])).toEqual(['ok']);
    expect((await a.store.getAccount('f-b'))?.creditsPosted).toBe(4n);
    expect((await a.store.getTransfer('f1'))?.amount).toBe(4n);
    expect((await a.store.listAccountTransfers('f-a', { limit: 10 })).transfers.map((t) => t.id)).toEqual(['f1']);
    expect(asLog(a.store).memory.seq).toBe(asLog(b.store).memory.seq);
    // The other process's id reached this one's id filter with its row.
    await asLog(a.store).heldIdScan?.done;
    expect(await a.engine.createTransfers([move('f1', 'f-a', 'f-b', 4n)])).toEqual(['exists']);
  });
});
