// Pipelined write groups (decision 38): group N+1 is computed from group N's state and sent while
// N commits. Here N's COMMIT is held by a deferred trigger that waits on an advisory lock the test
// holds, until N+1 is seen waiting for N's row lock; then N fails (an exception at commit, or its
// server process terminated) or commits. N's callers must hear the failure, N+1 must be computed
// again from the durable state, and every balance must equal the sum of its transfers.
// Runs when DATABASE_URL is set.
import { randomBytes, randomInt } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag, type TransferEvent } from '../../ledger/index.ts';
import { PostgresStore, pipelineDepth } from './postgres-store.ts';

const url = process.env.DATABASE_URL;
const schema = `pipeline_pg_${randomBytes(4).toString('hex')}`;
const appName = `formica_${schema}`;
const LEDGER = 841;
/** The advisory lock a held commit waits for. */
const HOLD_KEY = randomInt(1, 2 ** 31 - 1);
/** Amounts the trigger holds at commit: this one then fails its transaction, the other commits. */
const POISON = 777n;
const HELD = 778n;
/** An amount whose row the COPY sends only once the test lets it (a second advisory lock). */
const SLOW = 779n;
const SLOW_KEY = HOLD_KEY === 1 ? 2 : HOLD_KEY - 1;
const NO_CATCH_UP = { tailTransfers: Number.MAX_SAFE_INTEGER, idleMs: 0 };

function move(id: string, from: string, to: string, amount: bigint): TransferEvent {
  return { id, debitAccountId: from, creditAccountId: to, amount, pendingId: null, timeout: 0, ledger: LEDGER, code: 1, flags: 0, userData: null };
}

function withAppName(base: string, name = appName): string {
  const u = new URL(base);
  u.searchParams.set('application_name', name);
  return u.toString();
}

describe('FORMICA_PG_PIPELINE', () => {
  it('takes 1 or 2 and refuses anything else', () => {
    expect([pipelineDepth(undefined), pipelineDepth(''), pipelineDepth('1'), pipelineDepth('2')]).toEqual([1, 1, 1, 2]);
    expect(() => pipelineDepth('3')).toThrow(/FORMICA_PG_PIPELINE/);
  });
});

describe.skipIf(!url)('PostgreSQL store, two groups in flight', () => {
  const clock = new ManualClock();
  let store: PostgresStore;
  /** Groups of at most two events, so two requests sent together make two groups. */
  let engine: LedgerEngine;
  let holder: pg.Client;

  beforeAll(async () => {
    store = await PostgresStore.open({ url: withAppName(url ?? ''), schema, poolSize: 4, catchUp: NO_CATCH_UP, pipeline: 2, layout: 'tables' });
    engine = new LedgerEngine(store, clock, 2);
    await store.pool.query(`
      CREATE FUNCTION ${schema}.hold_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${HOLD_KEY});
        IF NEW.amount = ${POISON} THEN RAISE EXCEPTION 'poisoned transfer %', NEW.id; END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON ${schema}.transfers DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW WHEN (NEW.amount IN (${POISON}, ${HELD})) EXECUTE FUNCTION ${schema}.hold_commit();
      CREATE FUNCTION ${schema}.hold_copy() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${SLOW_KEY});
        RETURN NEW;
      END $$;
      CREATE TRIGGER hold_copy BEFORE INSERT ON ${schema}.transfers
        FOR EACH ROW WHEN (NEW.amount = ${SLOW}) EXECUTE FUNCTION ${schema}.hold_copy();`);
    holder = new pg.Client({ connectionString: url });
    await holder.connect();
  });

  afterAll(async () => {
    await store?.close();
    await holder?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await holder?.end();
  });

  async function open(ids: string[], flags = 0): Promise<void> {
    const results = await engine.createAccounts(ids.map((id) => ({ id, ledger: LEDGER, code: 1, flags, userData: '' })));
    expect(results).toEqual(ids.map(() => 'ok'));
  }

  /** What this store's server processes are doing: waiting for a lock, or for their client. */
  async function activity(): Promise<{ state: string; wait_event: string | null; query: string }[]> {
    const { rows } = await holder.query<{ state: string; wait_event: string | null; query: string }>(
      'SELECT state, wait_event, query FROM pg_stat_activity WHERE application_name = $1',
      [appName],
    );
    return rows;
  }

  /** Until group N waits at its commit for the held lock, and group N+1, computed on N's state, has
   *  sent its COPY and waits for N's commit before it asks for the row lock. */
  async function bothInFlight(): Promise<void> {
    for (let polls = 0; polls < 5_000; polls++) {
      const now = await activity();
      const held = now.some((a) => a.wait_event === 'advisory' && a.query === 'COMMIT');
      if (held && now.some((a) => a.state === 'idle in transaction' && a.query.startsWith('COPY'))) return;
    }
    throw new Error(`the two groups never were in flight together: ${JSON.stringify(await activity())}`);
  }

  /** Accounts whose posted balances differ from the sums of their transfers (all plain here). */
  async function unbalanced(): Promise<string[]> {
    const { rows } = await store.pool.query<{ id: string }>(`
      SELECT a.id FROM accounts a
      WHERE a.debits_posted <> coalesce((SELECT sum(t.amount) FROM transfers t WHERE t.debit_account_id = a.id), 0)
         OR a.credits_posted <> coalesce((SELECT sum(t.amount) FROM transfers t WHERE t.credit_account_id = a.id), 0)`);
    return rows.map((r) => r.id);
  }

  /** Sends group N (funding the wallet, plus `marker`) and group N+1 (spending what N funds). */
  async function twoGroups(prefix: string, marker: bigint) {
    const wallet = `${prefix}-wallet`;
    await open([`${prefix}-bank`, `${prefix}-shop`]);
    await open([wallet], AccountFlag.debits_must_not_exceed_credits);
    await holder.query('SELECT pg_advisory_lock($1)', [HOLD_KEY]);
    const n = engine.createTransfers([
      move(`${prefix}-fund`, `${prefix}-bank`, wallet, 100n),
      move(`${prefix}-mark`, `${prefix}-bank`, `${prefix}-shop`, marker),
    ]);
    n.catch(() => {});
    const next = engine.createTransfers([move(`${prefix}-spend`, wallet, `${prefix}-shop`, 60n)]);
    await bothInFlight();
    return { n, next, wallet };
  }

  it('rolls back and recomputes group N+1 when group N fails at its commit', async () => {
    const retries = store.phases.retries;
    const { n, next, wallet } = await twoGroups('poison', POISON);
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
    await expect(n).rejects.toThrow(/poisoned transfer/);
    // Computed on N's state the spend was fine; from the durable state the wallet is empty.
    expect(await next).toEqual(['exceeds_credits']);
    expect(store.phases.retries).toBe(retries + 1);
    expect(await store.getTransfer('poison-fund')).toBeUndefined();
    expect(await store.getTransfer('poison-spend')).toBeUndefined();
    expect((await store.getAccount(wallet))?.creditsPosted).toBe(0n);
    expect(await unbalanced()).toEqual([]);
    // The writer's memory was dropped with N: the next groups see the durable balances.
    expect(await engine.createTransfers([move('poison-refund', 'poison-bank', wallet, 50n)])).toEqual(['ok']);
    expect(await engine.createTransfers([move('poison-spend-2', wallet, 'poison-shop', 60n)])).toEqual(['exceeds_credits']);
    expect(await engine.createTransfers([move('poison-spend-3', wallet, 'poison-shop', 50n)])).toEqual(['ok']);
    expect(await unbalanced()).toEqual([]);
  });

  it("rolls back and recomputes group N+1 when group N's server process is terminated at its commit", async () => {
    const retries = store.phases.retries;
    const { n, next, wallet } = await twoGroups('killed', HELD);
    const killed = await holder.query<{ done: boolean }>(
      "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'advisory'",
      [appName],
    );
    expect(killed.rows.map((r) => r.done)).toEqual([true]);
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
    await expect(n).rejects.toThrow();
    expect(await next).toEqual(['exceeds_credits']);
    expect(store.phases.retries).toBe(retries + 1);
    expect(await store.getTransfer('killed-fund')).toBeUndefined();
    expect((await store.getAccount(wallet))?.debitsPosted).toBe(0n);
    expect(await unbalanced()).toEqual([]);
  });

  it('recomputes group N+1 from the durable state when another process wrote between N and N+1', async () => {
    const otherName = `${appName}_other`;
    const other = await PostgresStore.open({ url: withAppName(url ?? '', otherName), schema, poolSize: 2, catchUp: NO_CATCH_UP, layout: 'tables' });
    try {
      const retries = store.phases.retries;
      const { n, next, wallet } = await twoGroups('between', HELD);
      // The other process's group waits for the row lock behind N, so it takes it before N+1 asks.
      // A millisecond later, so its timestamps do not collide with N+1's uncommitted ones (that
      // would be a deadlock the server breaks, not the generation check this test is about).
      clock.advance(1);
      const spent = new LedgerEngine(other, clock).createTransfers([move('between-other', wallet, 'between-shop', 50n)]);
      let waiting = false;
      for (let polls = 0; !waiting; polls++) {
        if (polls > 5_000) throw new Error("the other process's group never waited for the row lock");
        const found = await holder.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event = 'transactionid'", [otherName]);
        waiting = found.rows.length > 0;
      }
      await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
      expect(await n).toEqual(['ok', 'ok']);
      expect(await spent).toEqual(['ok']);
      // Computed on N's state the 60 fitted; after the other process spent 50 of the 100 it does not.
      expect(await next).toEqual(['exceeds_credits']);
      expect(store.phases.retries).toBe(retries + 1);
      const account = await store.getAccount(wallet);
      expect({ debits: account?.debitsPosted, credits: account?.creditsPosted }).toEqual({ debits: 50n, credits: 100n });
      expect(await unbalanced()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('commits both in order, N+1 on the balance N left, when N commits', async () => {
    const retries = store.phases.retries;
    const { n, next, wallet } = await twoGroups('held', HELD);
    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
    expect(await n).toEqual(['ok', 'ok']);
    expect(await next).toEqual(['ok']);
    expect(store.phases.retries).toBe(retries);
    const fund = await store.getTransfer('held-fund');
    const spend = await store.getTransfer('held-spend');
    expect((fund?.timestamp ?? 0n) < (spend?.timestamp ?? 0n)).toBe(true);
    const account = await store.getAccount(wallet);
    expect({ debits: account?.debitsPosted, credits: account?.creditsPosted }).toEqual({ debits: 60n, credits: 100n });
    expect(await unbalanced()).toEqual([]);
  });

  it('asks for the row lock only once the group before committed, however long that group takes to send its COPY', async () => {
    await open(['slow-bank', 'slow-shop']);
    await open(['slow-wallet'], AccountFlag.debits_must_not_exceed_credits);
    await holder.query('SELECT pg_advisory_lock($1)', [SLOW_KEY]);
    const n = engine.createTransfers([move('slow-fund', 'slow-bank', 'slow-wallet', 100n), move('slow-other', 'slow-bank', 'slow-shop', 1n)]);
    const next = engine.createTransfers([move('slow-copy', 'slow-bank', 'slow-shop', SLOW), move('slow-more', 'slow-bank', 'slow-shop', 1n)]);
    const third = engine.createTransfers([move('slow-spend', 'slow-wallet', 'slow-shop', 60n)]);
    expect(await n).toEqual(['ok', 'ok']);
    // N+1's COPY waits for the test; N+2, built on N+1, has sent its own COPY and waits too. Had it
    // locked the row, N+1 would wait for it there while it waits for N+1's commit: neither ends.
    const idle = async () => (await activity()).filter((a) => a.state === 'idle in transaction').map((a) => a.query);
    let polls = 0;
    while (!(await idle()).some((q) => q.startsWith('COPY') || q.includes('FOR UPDATE'))) {
      if (++polls > 5_000) throw new Error(`the third group never sent its COPY: ${JSON.stringify(await activity())}`);
    }
    for (let more = 0; more < 50; more++) expect((await idle()).filter((q) => q.includes('FOR UPDATE'))).toEqual([]);
    await holder.query('SELECT pg_advisory_unlock($1)', [SLOW_KEY]);
    expect(await next).toEqual(['ok', 'ok']);
    expect(await third).toEqual(['ok']);
    const stamps = await Promise.all(['slow-fund', 'slow-copy', 'slow-spend'].map(async (id) => (await store.getTransfer(id))?.timestamp ?? 0n));
    expect(stamps[0] < stamps[1] && stamps[1] < stamps[2]).toBe(true);
    expect(await unbalanced()).toEqual([]);
  });
});
