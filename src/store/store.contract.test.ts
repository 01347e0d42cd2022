// The one contract every LedgerStore adapter passes, driven through the engine as the platform
// drives it. Each adapter gets a store of its own per run (a temporary SQLite file, a fresh
// PostgreSQL schema) that is removed at the end; tests share it and keep apart by id prefix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../engine/clock.ts';
import { LedgerEngine } from '../engine/ledger-engine.ts';
import type { Step } from '../engine/step.ts';
import { type Account, AccountFlag, type AccountEvent, type BatchEffects, type Transfer, type TransferEvent, TransferFlag } from '../ledger/index.ts';
import type { PostgresLayout } from './postgres/log/log-layout.ts';
import { PostgresStore } from './postgres/postgres-store.ts';
import { type SqliteLayout, SqliteStore } from './sqlite/sqlite-store.ts';
import type { LedgerStore } from './store.ts';

/** Where an adapter keeps a store: `place()` names a fresh location, `cleanup()` removes them all. */
interface Adapter {
  readonly name: string;
  /** The store's layout, when it has a choice. */
  readonly layout?: SqliteLayout | PostgresLayout;
  readonly available: boolean;
  /** A place outlives its store and can be opened twice (a file, a schema; not ':memory:'). */
  readonly persistent: boolean;
  place(): string;
  open(place: string): Promise<LedgerStore>;
  cleanup(): Promise<void>;
}

function sqliteAdapter(layout: SqliteLayout): Adapter {
  let dir: string | undefined;
  let n = 0;
  return {
    name: 'sqlite',
    layout,
    available: true,
    persistent: true,
    place() {
      dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'formica-contract-'));
      n += 1;
      return path.join(dir, `store-${n}.db`);
    },
    open: async (file) => SqliteStore.open({ file, layout }),
    async cleanup() {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The embedded store with no file at all: module rules and steps tested without a disk. */
function memoryAdapter(): Adapter {
  return {
    name: 'sqlite',
    available: true,
    persistent: false,
    place: () => ':memory:',
    open: async (file) => SqliteStore.open({ file }),
    cleanup: async () => {},
  };
}

function postgresAdapter(url: string | undefined, layout: PostgresLayout): Adapter {
  const run = `contract_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const schemas: string[] = [];
  return {
    name: 'postgres',
    layout,
    available: url !== undefined && url !== '',
    persistent: true,
    place() {
      schemas.push(`${run}_${schemas.length + 1}`);
      return schemas[schemas.length - 1];
    },
    open: async (schema) => PostgresStore.open({ url: url ?? '', schema, poolSize: 4, layout }),
    async cleanup() {
      if (!url || schemas.length === 0) return;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

const LEDGER = 840;
const WALLET = AccountFlag.debits_must_not_exceed_credits;
const SECOND_MS = 1000;

function accountEvent(id: string, flags = 0, userData = ''): AccountEvent {
  return { id, ledger: LEDGER, code: 1, flags, userData };
}

/** A transfer event; posts and voids name only their pending transfer and inherit the rest. */
function transferEvent(id: string, fields: Partial<Omit<TransferEvent, 'id'>>): TransferEvent {
  const secondPhase = ((fields.flags ?? 0) & (TransferFlag.post_pending_transfer | TransferFlag.void_pending_transfer)) !== 0;
  return {
    id,
    debitAccountId: null,
    creditAccountId: null,
    amount: null,
    pendingId: null,
    timeout: 0,
    ledger: secondPhase ? 0 : LEDGER,
    code: secondPhase ? 0 : 1,
    flags: 0,
    userData: null,
    ...fields,
  };
}

function move(id: string, from: string, to: string, amount: bigint, more: Partial<TransferEvent> = {}): TransferEvent {
  return transferEvent(id, { debitAccountId: from, creditAccountId: to, amount, ...more });
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let n = 0;
  for await (const page of pages) {
    items.push(...page);
    n += 1;
  }
  return { items, pages: n };
}

/** A module table of the test's own, in the ledger's database, written through write groups. */
async function sqlTable(store: LedgerStore): Promise<void> {
  await store.writeGroup((group) => group.sql.run('CREATE TABLE IF NOT EXISTS contract_notes (id TEXT PRIMARY KEY, n BIGINT NOT NULL, result TEXT)'));
}

async function notes(store: LedgerStore): Promise<[string, string | null][]> {
  const rows = await store.writeGroup((group) => group.sql.all<{ id: string; result: string | null }>('SELECT id, result FROM contract_notes ORDER BY id'));
  return rows.map((r) => [r.id, r.result]);
}

function balances(a: Account | undefined) {
  if (!a) return undefined;
  return { dp: a.debitsPending, dpo: a.debitsPosted, cp: a.creditsPending, cpo: a.creditsPosted };
}

const noEffects = (lastTimestamp: bigint): BatchEffects => ({
  newAccounts: [],
  newTransfers: [],
  changedAccounts: [],
  newPending: [],
  resolvedPending: [],
  newFailures: [],
  lastTimestamp,
});

const adapters = [
  sqliteAdapter('tables'),
  memoryAdapter(),
  sqliteAdapter('log'),
  // PostgreSQL needs a server: a fresh machine has none (the embedded SQLite store is the
  // default there), so this block is skipped unless DATABASE_URL names one.
  postgresAdapter(process.env.DATABASE_URL, 'tables'),
  postgresAdapter(process.env.DATABASE_URL, 'log'),
];

for (const adapter of adapters) {
  const label = adapter === adapters[1] ? `${adapter.name} :memory:` : [adapter.name, adapter.layout].filter(Boolean).join(' ');
  describe.skipIf(!adapter.available)(`LedgerStore contract: ${label}`, () => {
    const clock = new ManualClock();
    let place = '';
    let store: LedgerStore;
    let engine: LedgerEngine;

    async function reopen(): Promise<void> {
      await engine.drained();
      await store.close();
      store = await adapter.open(place);
      engine = new LedgerEngine(store, clock);
    }

    async function accounts(prefix: string, specs: [name: string, flags?: number][]): Promise<string[]> {
      const ids = specs.map(([name]) => `${prefix}-${name}`);
      const results = await engine.createAccounts(specs.map(([, flags], i) => accountEvent(ids[i], flags ?? 0)));
      expect(results).toEqual(ids.map(() => 'ok'));
      return ids;
    }

    beforeAll(async () => {
      place = adapter.place();
      store = await adapter.open(place);
      engine = new LedgerEngine(store, clock);
    });

    afterAll(async () => {
      await engine?.drained();
      await store?.close();
      await adapter.cleanup();
    });

    it('reports its kind', () => {
      expect(store.kind).toBe(adapter.name);
    });

    it('creates accounts and answers replays', async () => {
      const p = 'acct';
      const results = await engine.createAccounts([accountEvent(`${p}-a`, WALLET, 'owner-a'), accountEvent(`${p}-b`)]);
      expect(results).toEqual(['ok', 'ok']);
      const replay = await engine.createAccounts([
        accountEvent(`${p}-a`, WALLET, 'owner-a'),
        accountEvent(`${p}-b`, WALLET),
        accountEvent(`${p}-b`, 0, 'someone-else'),
        { ...accountEvent(`${p}-c`), ledger: 0 },
      ]);
      expect(replay).toEqual(['exists', 'exists_with_different_flags', 'exists_with_different_user_data', 'ledger_must_not_be_zero']);
      const a = await store.getAccount(`${p}-a`);
      expect(a).toMatchObject({ id: `${p}-a`, ledger: LEDGER, code: 1, flags: WALLET, userData: 'owner-a', debitsPosted: 0n });
      expect(typeof a?.timestamp).toBe('bigint');
      expect(a?.timestamp).toBeGreaterThan(0n);
      expect(await store.getAccount(`${p}-c`)).toBeUndefined();
      expect(await store.getAccount(`${p}-missing`)).toBeUndefined();
    });

    it('moves money with plain, pending, posted, partly posted and voided transfers', async () => {
      const p = 'two-phase';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      expect(await engine.createTransfers([move(`${p}-fund`, bank, user, 1000n)])).toEqual(['ok']);
      const holds = await engine.createTransfers([
        move(`${p}-p1`, user, shop, 300n, { flags: TransferFlag.pending }),
        move(`${p}-p2`, user, shop, 200n, { flags: TransferFlag.pending }),
        move(`${p}-p3`, user, shop, 100n, { flags: TransferFlag.pending }),
      ]);
      expect(holds).toEqual(['ok', 'ok', 'ok']);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 600n, dpo: 0n, cp: 0n, cpo: 1000n });

      const second = await engine.createTransfers([
        transferEvent(`${p}-post1`, { pendingId: `${p}-p1`, flags: TransferFlag.post_pending_transfer }),
        transferEvent(`${p}-post2`, { pendingId: `${p}-p2`, amount: 50n, flags: TransferFlag.post_pending_transfer }),
        transferEvent(`${p}-void3`, { pendingId: `${p}-p3`, flags: TransferFlag.void_pending_transfer }),
      ]);
      expect(second).toEqual(['ok', 'ok', 'ok']);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 350n, cp: 0n, cpo: 1000n });
      expect(balances(await store.getAccount(shop))).toEqual({ dp: 0n, dpo: 0n, cp: 0n, cpo: 350n });
      expect(await store.getTransfer(`${p}-post2`)).toMatchObject({ amount: 50n, pendingId: `${p}-p2`, debitAccountId: user, creditAccountId: shop });

      const again = await engine.createTransfers([
        transferEvent(`${p}-post1b`, { pendingId: `${p}-p1`, flags: TransferFlag.post_pending_transfer }),
        transferEvent(`${p}-void3b`, { pendingId: `${p}-p3`, flags: TransferFlag.void_pending_transfer }),
        move(`${p}-big`, user, shop, 651n),
        move(`${p}-fund`, bank, user, 1000n),
        move(`${p}-fund`, bank, user, 999n),
      ]);
      expect(again).toEqual([
        'pending_transfer_already_posted',
        'pending_transfer_already_voided',
        'exceeds_credits',
        'exists',
        'exists_with_different_amount',
      ]);
      const states = new Map((await collect(store.scanPendingStates(2))).items.map((s) => [s.id, s.status]));
      expect([states.get(`${p}-p1`), states.get(`${p}-p2`), states.get(`${p}-p3`)]).toEqual(['posted', 'posted', 'voided']);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 350n, cp: 0n, cpo: 1000n });
    });

    it('keeps failed ids failed across batches, and frees ids that failed validation', async () => {
      const p = 'failed';
      const [bank, user] = await accounts(p, [['bank'], ['user', WALLET]]);
      const first = await engine.createTransfers([
        move(`${p}-ghost`, `${p}-nobody`, user, 5n),
        move(`${p}-broke`, user, bank, 5n),
        move(`${p}-zero`, bank, user, 0n),
      ]);
      expect(first).toEqual(['debit_account_not_found', 'exceeds_credits', 'amount_must_not_be_zero']);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 100n)]);
      const retry = await engine.createTransfers([move(`${p}-ghost`, bank, user, 5n), move(`${p}-broke`, user, bank, 5n), move(`${p}-zero`, bank, user, 7n)]);
      expect(retry).toEqual(['id_already_failed', 'id_already_failed', 'ok']);
      expect(await store.getTransfer(`${p}-ghost`)).toBeUndefined();
      expect(await store.getTransfer(`${p}-zero`)).toMatchObject({ amount: 7n });
    });

    it('expires pending transfers when the clock passes their deadline', async () => {
      const p = 'expiry';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 500n)]);
      const holds = await engine.createTransfers([
        move(`${p}-soon`, user, shop, 100n, { flags: TransferFlag.pending, timeout: 1 }),
        move(`${p}-later`, user, shop, 200n, { flags: TransferFlag.pending, timeout: 60 }),
        move(`${p}-never`, user, shop, 50n, { flags: TransferFlag.pending }),
      ]);
      expect(holds).toEqual(['ok', 'ok', 'ok']);
      const soon = await store.getTransfer(`${p}-soon`);
      const soonDeadline = (soon?.timestamp ?? 0n) + 1_000_000_000n;
      expect(await store.nextExpiry()).toBe(soonDeadline);
      expect(await store.duePendingIds(soonDeadline - 1n, 10)).toEqual([]);
      expect(await store.duePendingIds(soonDeadline, 10)).toEqual([`${p}-soon`]);
      expect(await engine.expireDue()).toBe(0);

      clock.advance(2 * SECOND_MS);
      expect(await engine.expireDue()).toBe(1);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 250n, dpo: 0n, cp: 0n, cpo: 500n });
      const late = await engine.createTransfers([transferEvent(`${p}-post-soon`, { pendingId: `${p}-soon`, flags: TransferFlag.post_pending_transfer })]);
      expect(late).toEqual(['pending_transfer_expired']);

      clock.advance(60 * SECOND_MS);
      expect(await engine.expireDue()).toBe(1);
      expect(await store.nextExpiry()).toBeNull();
      expect(await store.duePendingIds(BigInt(clock.now()) * 1_000_000n, 10)).toEqual([]);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 50n, dpo: 0n, cp: 0n, cpo: 500n });
      const states = new Map((await collect(store.scanPendingStates(100))).items.map((s) => [s.id, s]));
      expect(states.get(`${p}-soon`)?.status).toBe('expired');
      expect(states.get(`${p}-later`)?.status).toBe('expired');
      expect(states.get(`${p}-never`)).toEqual({ id: `${p}-never`, status: 'pending', expiresAt: 0n });
    });

    it('group-commits many concurrent requests, each with its own correct results', async () => {
      const p = 'group';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 100n)]);
      const writes = vi.spyOn(store, 'writeBatch');
      const requests = Array.from({ length: 150 }, (_, i) => engine.createTransfers([move(`${p}-t${i}`, user, shop, 1n)]));
      const results = await Promise.all(requests);
      const batches = writes.mock.calls.length;
      writes.mockRestore();
      // Requests are applied in arrival order: the first hundred spend the balance.
      expect(results).toEqual(Array.from({ length: 150 }, (_, i) => [i < 100 ? 'ok' : 'exceeds_credits']));
      expect(batches).toBeLessThan(150);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 100n, cp: 0n, cpo: 100n });
      expect(balances(await store.getAccount(shop))).toEqual({ dp: 0n, dpo: 0n, cp: 0n, cpo: 100n });
    });

    it('leaves nothing of a failed linked chain behind', async () => {
      const p = 'chain';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 10n)]);
      const before = await store.counts();
      const chain = await engine.createTransfers([
        move(`${p}-a`, bank, user, 500n, { flags: TransferFlag.linked }),
        move(`${p}-b`, user, shop, 5n, { flags: TransferFlag.linked | TransferFlag.pending }),
        move(`${p}-c`, user, shop, 10_000n),
      ]);
      expect(chain).toEqual(['linked_event_failed', 'linked_event_failed', 'exceeds_credits']);
      expect(await store.counts()).toEqual(before);
      for (const id of [`${p}-a`, `${p}-b`, `${p}-c`]) expect(await store.getTransfer(id)).toBeUndefined();
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 0n, cp: 0n, cpo: 10n });
      expect((await store.listAccountTransfers(shop, { limit: 10 })).transfers).toEqual([]);
      const pendingIds = (await collect(store.scanPendingStates(100))).items.map((s) => s.id);
      expect(pendingIds).not.toContain(`${p}-b`);
      // The members that only failed with the chain are free for a retry; the real failure is not.
      const retry = await engine.createTransfers([move(`${p}-a`, bank, user, 500n), move(`${p}-c`, user, shop, 1n)]);
      expect(retry).toEqual(['ok', 'id_already_failed']);
    });

    it("pages an account's transfers and filters them by code, user data and time", async () => {
      const p = 'paging';
      const [bank, user] = await accounts(p, [['bank'], ['user']]);
      const events = Array.from({ length: 7 }, (_, i) =>
        i % 2 === 0
          ? move(`${p}-${i}`, bank, user, BigInt(i + 1), { code: 2, userData: 'order-even' })
          : move(`${p}-${i}`, user, bank, 1n, { code: 3, userData: 'order-odd' }),
      );
      expect(await engine.createTransfers(events)).toEqual(events.map(() => 'ok'));
      const all: Transfer[] = [];
      const sizes: number[] = [];
      let after: bigint | undefined;
      for (;;) {
        const page = await store.listAccountTransfers(user, { limit: 3, after });
        all.push(...page.transfers);
        sizes.push(page.transfers.length);
        if (page.next === null) break;
        after = page.next;
      }
      expect(sizes).toEqual([3, 3, 1]);
      expect(all.map((t) => t.id)).toEqual(events.map((e) => e.id));
      expect(all.every((t, i) => i === 0 || t.timestamp > all[i - 1].timestamp)).toBe(true);

      const byCode = await store.listAccountTransfers(user, { limit: 10, code: 3 });
      expect(byCode.transfers.map((t) => t.id)).toEqual([`${p}-1`, `${p}-3`, `${p}-5`]);
      expect(byCode.next).toBeNull();
      const byUserData = await store.listAccountTransfers(bank, { limit: 10, userData: 'order-even' });
      expect(byUserData.transfers.map((t) => t.id)).toEqual([`${p}-0`, `${p}-2`, `${p}-4`, `${p}-6`]);
      const until = await store.listAccountTransfers(user, { limit: 10, until: all[3].timestamp });
      expect(until.transfers.map((t) => t.id)).toEqual(all.slice(0, 4).map((t) => t.id));
      const window = await store.listAccountTransfers(user, { limit: 10, after: all[1].timestamp, until: all[4].timestamp, code: 2 });
      expect(window.transfers.map((t) => t.id)).toEqual([`${p}-2`, `${p}-4`]);
      expect(all[0]).toEqual({
        id: `${p}-0`,
        debitAccountId: bank,
        creditAccountId: user,
        amount: 1n,
        pendingId: '',
        timeout: 0,
        ledger: LEDGER,
        code: 2,
        flags: 0,
        userData: 'order-even',
        timestamp: all[0].timestamp,
      });
      expect(await store.getTransfer(`${p}-0`)).toEqual(all[0]);
    });

    it('writes outbox events only when every event of the request is ok, with the batch', async () => {
      const p = 'outbox';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      const start = await store.outboxAfter(0n, 1_000_000);
      const last = start.length > 0 ? start[start.length - 1].seq : 0n;
      const ok = await engine.createTransfers(
        [move(`${p}-fund`, bank, user, 10n)],
        [
          { topic: 'wallet.topped_up', payload: JSON.stringify({ id: `${p}-fund`, amount: '10' }) },
          { topic: 'wallet.notify', payload: '{"n":2}' },
        ],
      );
      const failed = await engine.createTransfers(
        [move(`${p}-ok`, bank, user, 1n), move(`${p}-too-much`, user, shop, 1_000n)],
        [{ topic: 'wallet.never', payload: '{}' }],
      );
      expect(ok).toEqual(['ok']);
      expect(failed).toEqual(['ok', 'exceeds_credits']);
      const rows = await store.outboxAfter(last, 100);
      expect(rows.map((r) => [r.topic, r.payload])).toEqual([
        ['wallet.topped_up', JSON.stringify({ id: `${p}-fund`, amount: '10' })],
        ['wallet.notify', '{"n":2}'],
      ]);
      expect(rows[1].seq).toBeGreaterThan(rows[0].seq);
      // Written in the batch's transaction: stamped with the batch's ledger timestamp.
      expect(rows[0].createdAt).toBe((await store.getTransfer(`${p}-fund`))?.timestamp);
      expect(await store.outboxAfter(rows[0].seq, 100)).toEqual([rows[1]]);
      expect(await store.outboxAfter(last, 1)).toEqual([rows[0]]);
    });

    it('writes nothing when compute throws, and stays usable', async () => {
      const p = 'throws';
      const before = await store.counts();
      const outboxBefore = await store.outboxAfter(0n, 1_000_000);
      const keys = { accountIds: new Set([`${p}-a`]), transferIds: new Set([`${p}-t`]) };
      const failing = store.writeBatch(keys, (snapshot) => {
        expect(snapshot.accounts.size).toBe(0);
        throw new Error('compute failed');
      });
      await expect(failing).rejects.toThrow('compute failed');
      expect(await store.counts()).toEqual(before);
      expect(await store.outboxAfter(0n, 1_000_000)).toEqual(outboxBefore);
      expect(await accounts(p, [['a']])).toEqual([`${p}-a`]);
    });

    it('rolls back every effect and the outbox when persisting fails', async () => {
      const p = 'atomic';
      const [existing] = await accounts(p, [['a']]);
      const stored = await store.getAccount(existing);
      const before = await store.counts();
      const outboxBefore = await store.outboxAfter(0n, 1_000_000);
      const keys = { accountIds: new Set([existing]), transferIds: new Set<string>() };
      const clash = store.writeBatch(keys, (snapshot) => {
        const ts = snapshot.lastTimestamp + 1n;
        const fresh = { ...accountEvent(`${p}-fresh`), debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n, timestamp: ts };
        const effects = { ...noEffects(ts + 1n), newAccounts: [fresh, { ...fresh, id: existing, timestamp: ts + 1n }] };
        return { effects, outbox: [{ topic: 'atomic.never', payload: '{}' }], value: null };
      });
      await expect(clash).rejects.toThrow();
      expect(await store.counts()).toEqual(before);
      expect(await store.getAccount(`${p}-fresh`)).toBeUndefined();
      expect(await store.getAccount(existing)).toEqual(stored);
      expect(await store.outboxAfter(0n, 1_000_000)).toEqual(outboxBefore);
    });

    it('scans every account, transfer and pending state exactly once, in order, and counts them', async () => {
      const p = 'scan';
      const [bank, user] = await accounts(p, [['bank'], ['user'], ['idle']]);
      await engine.createTransfers([move(`${p}-t1`, bank, user, 3n), move(`${p}-t2`, bank, user, 4n, { flags: TransferFlag.pending })]);
      const counted = await store.counts();
      const accountScan = await collect(store.scanAccounts(4));
      const transferScan = await collect(store.scanTransfers(4));
      const pendingScan = await collect(store.scanPendingStates(2));
      expect(BigInt(accountScan.items.length)).toBe(counted.accounts);
      expect(BigInt(transferScan.items.length)).toBe(counted.transfers);
      expect(accountScan.pages).toBe(Math.ceil(accountScan.items.length / 4));
      const accountIds = accountScan.items.map((a) => a.id);
      expect(accountIds).toEqual([...accountIds].sort());
      expect(new Set(accountIds).size).toBe(accountIds.length);
      expect(accountIds).toEqual(expect.arrayContaining([`${p}-bank`, `${p}-user`, `${p}-idle`, 'acct-a', 'chain-shop']));
      const stamps = transferScan.items.map((t) => t.timestamp);
      expect(stamps.every((ts, i) => i === 0 || ts > stamps[i - 1])).toBe(true);
      expect(transferScan.items.map((t) => t.id)).toEqual(expect.arrayContaining([`${p}-t1`, `${p}-t2`, 'paging-6', 'group-t99']));
      const pendingTransfers = transferScan.items.filter((t) => (t.flags & TransferFlag.pending) !== 0).map((t) => t.id);
      expect(pendingScan.items.map((s) => s.id).sort()).toEqual(pendingTransfers.sort());
      expect(pendingScan.items.find((s) => s.id === `${p}-t2`)).toEqual({ id: `${p}-t2`, status: 'pending', expiresAt: 0n });

      await accounts(p, [['late']]);
      await engine.createTransfers([move(`${p}-t3`, bank, user, 1n)]);
      expect(await store.counts()).toEqual({ accounts: counted.accounts + 1n, transfers: counted.transfers + 1n });
    });

    it.skipIf(!adapter.persistent)('serializes batches from two stores sharing one place, as two processes would', async () => {
      const p = 'shared';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 60n)]);
      const other = await adapter.open(place);
      try {
        const engines = [engine, new LedgerEngine(other, clock)];
        // Each request spends from the same wallet: a batch that read stale balances would overdraw it.
        const rounds = Array.from({ length: 10 }, (_, round) =>
          Promise.all(
            engines.map((e, side) => Promise.all(Array.from({ length: 5 }, (_, i) => e.createTransfers([move(`${p}-${round}-${side}-${i}`, user, shop, 1n)])))),
          ),
        );
        const results = (await Promise.all(rounds)).flat(3);
        expect(results.filter((r) => r === 'ok')).toHaveLength(60);
        expect(results.filter((r) => r === 'exceeds_credits')).toHaveLength(40);
        expect(balances(await other.getAccount(user))).toEqual({ dp: 0n, dpo: 60n, cp: 0n, cpo: 60n });
        const stamps = (await collect(store.scanTransfers(1000))).items.map((t) => t.timestamp);
        expect(stamps.every((ts, i) => i === 0 || ts > stamps[i - 1])).toBe(true);
      } finally {
        await other.close();
      }
    });

    it('keeps debits equal to credits on every ledger', async () => {
      const totals = new Map<number, { dp: bigint; dpo: bigint; cp: bigint; cpo: bigint }>();
      for await (const page of store.scanAccounts(7)) {
        for (const a of page) {
          const t = totals.get(a.ledger) ?? { dp: 0n, dpo: 0n, cp: 0n, cpo: 0n };
          totals.set(a.ledger, { dp: t.dp + a.debitsPending, dpo: t.dpo + a.debitsPosted, cp: t.cp + a.creditsPending, cpo: t.cpo + a.creditsPosted });
        }
      }
      expect(totals.size).toBeGreaterThan(0);
      for (const t of totals.values()) {
        expect(t.dpo).toBe(t.cpo);
        expect(t.dp).toBe(t.cp);
      }
    });

    it.skipIf(!adapter.persistent)('finds everything again after close and reopen', async () => {
      const p = 'durable';
      const [bank, user, shop] = await accounts(p, [['bank'], ['user', WALLET], ['shop']]);
      await engine.createTransfers([move(`${p}-fund`, bank, user, 100n)], [{ topic: 'durable.funded', payload: '{}' }]);
      await engine.createTransfers([
        move(`${p}-hold`, user, shop, 30n, { flags: TransferFlag.pending, timeout: 3600 }),
        move(`${p}-ghost`, `${p}-nobody`, shop, 1n),
      ]);
      const snapshot = {
        counts: await store.counts(),
        accounts: (await collect(store.scanAccounts(50))).items,
        transfers: (await collect(store.scanTransfers(50))).items,
        pending: (await collect(store.scanPendingStates(50))).items,
        outbox: await store.outboxAfter(0n, 1_000_000),
        nextExpiry: await store.nextExpiry(),
      };
      const lastBefore = snapshot.transfers[snapshot.transfers.length - 1].timestamp;

      await reopen();
      expect(await store.counts()).toEqual(snapshot.counts);
      expect((await collect(store.scanAccounts(50))).items).toEqual(snapshot.accounts);
      expect((await collect(store.scanTransfers(50))).items).toEqual(snapshot.transfers);
      expect((await collect(store.scanPendingStates(50))).items).toEqual(snapshot.pending);
      expect(await store.outboxAfter(0n, 1_000_000)).toEqual(snapshot.outbox);
      expect(await store.nextExpiry()).toBe(snapshot.nextExpiry);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 30n, dpo: 0n, cp: 0n, cpo: 100n });

      // Failed ids, pending states and the ledger's clock survive too.
      const after = await engine.createTransfers([
        move(`${p}-ghost`, bank, shop, 1n),
        move(`${p}-failed-2`, `failed-user`, `failed-bank`, 5n),
        transferEvent(`${p}-release`, { pendingId: `${p}-hold`, flags: TransferFlag.void_pending_transfer }),
        move(`${p}-fund`, bank, user, 100n),
      ]);
      expect(after).toEqual(['id_already_failed', 'ok', 'ok', 'exists']);
      expect(await engine.createTransfers([move('failed-broke', 'failed-user', 'failed-bank', 5n)])).toEqual(['id_already_failed']);
      expect((await store.getTransfer(`${p}-release`))?.timestamp).toBeGreaterThan(lastBefore);
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 0n, cp: 0n, cpo: 100n });
      expect(balances(await store.getAccount('failed-user'))).toEqual({ dp: 0n, dpo: 5n, cp: 0n, cpo: 107n });
    });

    it('commits a group of steps with its ledger batch once; a refused claim undoes only its own rows', async () => {
      const [bank, user] = await accounts('grp', [['bank'], ['user', WALLET]]);
      await sqlTable(store);
      const writes = vi.spyOn(store, 'writeGroup');
      const step = (n: number, refuse = false): Step<number, string> => ({
        name: 'test.note',
        maxEvents: 1,
        async claim(tx) {
          await tx.run('INSERT INTO contract_notes (id, n) VALUES (?, ?)', [`grp-${n}`, BigInt(n)]);
          if (refuse) throw new Error(`refused ${n}`);
          return n;
        },
        plan: (claimed) => [move(`grp-t${claimed}`, bank, user, BigInt(claimed))],
        async record(tx, claimed, outcomes) {
          await tx.run('UPDATE contract_notes SET result = ? WHERE id = ?', [outcomes[0].result, `grp-${claimed}`]);
          return outcomes[0].result;
        },
      });
      const runs = [1, 2, 3, 4].map((n) =>
        engine.runStep(step(n, n === 3)).then(
          (r) => r,
          (e: Error) => e.message,
        ),
      );
      expect(await Promise.all(runs)).toEqual(['ok', 'ok', 'refused 3', 'ok']);
      expect(writes).toHaveBeenCalledTimes(1);
      writes.mockRestore();
      expect(await notes(store)).toEqual([
        ['grp-1', 'ok'],
        ['grp-2', 'ok'],
        ['grp-4', 'ok'],
      ]);
      expect(await store.getTransfer('grp-t3')).toBeUndefined();
      expect(balances(await store.getAccount(user))).toEqual({ dp: 0n, dpo: 0n, cp: 0n, cpo: 7n });
    });

    it('rolls the whole group back, ledger included, when a record fails', async () => {
      const [bank, user] = await accounts('rbk', [['bank'], ['user', WALLET]]);
      await sqlTable(store);
      const broken: Step<null, string> = {
        name: 'test.broken-record',
        maxEvents: 1,
        claim: async (tx) => {
          await tx.run('INSERT INTO contract_notes (id, n) VALUES (?, ?)', ['rbk-1', 1n]);
          return null;
        },
        plan: () => [move('rbk-t1', bank, user, 5n)],
        record: async () => {
          throw new Error('record broke');
        },
      };
      const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
      const [plain, stepped] = await Promise.allSettled([engine.createTransfers([move('rbk-t2', bank, user, 1n)]), engine.runStep(broken)]);
      errors.mockRestore();
      expect(stepped).toMatchObject({ status: 'rejected', reason: { message: 'record broke' } });
      expect(plain).toMatchObject({ status: 'rejected', reason: { message: 'record broke' } });
      expect(await store.getTransfer('rbk-t1')).toBeUndefined();
      expect(await store.getTransfer('rbk-t2')).toBeUndefined();
      expect((await notes(store)).filter(([id]) => id.startsWith('rbk'))).toEqual([]);
      // The engine goes on: the next group commits.
      expect(await engine.createTransfers([move('rbk-t3', bank, user, 1n)])).toEqual(['ok']);
    });

    it('refuses a plan with more events than its step declared, and writes nothing of it', async () => {
      const [bank, user] = await accounts('cap', [['bank'], ['user']]);
      const greedy: Step<null, string> = {
        name: 'test.greedy',
        maxEvents: 1,
        claim: async () => null,
        plan: () => [move('cap-1', bank, user, 1n), move('cap-2', bank, user, 1n)],
        record: async () => 'recorded',
      };
      await expect(engine.runStep(greedy)).rejects.toThrow(/planned 2 events, more than its 1/);
      expect(await store.getTransfer('cap-1')).toBeUndefined();
    });

    it.skipIf(!adapter.persistent)('migrates once when two stores open the same fresh place together', async () => {
      const fresh = adapter.place();
      const [a, b] = await Promise.all([adapter.open(fresh), adapter.open(fresh)]);
      try {
        const engineA = new LedgerEngine(a, clock);
        expect(await engineA.createAccounts([accountEvent('twin-a')])).toEqual(['ok']);
        expect(await b.getAccount('twin-a')).toMatchObject({ id: 'twin-a' });
        expect(await b.counts()).toEqual({ accounts: 1n, transfers: 0n });
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
