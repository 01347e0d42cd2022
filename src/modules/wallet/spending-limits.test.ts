// The limits' usage counted once per write group, on both stores (PostgreSQL when DATABASE_URL is
// set): payments in one group count against each other, a refused claim counts nothing, a group
// that rolls back writes no count, and the next group starts from what was committed.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import { sqlStep } from '../../engine/step.ts';
import { openStore } from '../../store/open-store.ts';
import { openSql, type SqlDatabase, type SqlExecutor } from '../../store/sql.ts';
import { SqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { LedgerStore } from '../../store/store.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { IdentityService } from '../identity/identity.ts';
import { DEFAULT_LIMIT_POLICY, type Limit } from '../identity/limits.ts';
import { SpendingLimits } from './spending-limits.ts';
import { WALLET_MIGRATIONS } from './wallet-schema.ts';

const url = process.env.DATABASE_URL;
const kinds = url ? ['sqlite', 'postgres'] : ['sqlite'];
const DAY_100: Limit[] = [{ name: 'daily_one_factor', period: 'day', limitMinor: 100n }];
const NOON = Date.UTC(2026, 0, 15, 4);

describe.each(kinds)('spending limits in write groups (%s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-limits-'));
  const schema = `l_${randomBytes(6).toString('hex')}`;
  const clock = new ManualClock(NOON);
  let store: LedgerStore;
  let engine: LedgerEngine;
  let db: SqlDatabase;
  let limits: SpendingLimits;

  beforeAll(async () => {
    const where = { dataDir, databaseUrl: kind === 'postgres' ? url : undefined, schema: kind === 'postgres' ? schema : undefined };
    store = await openStore(where);
    engine = new LedgerEngine(store, clock);
    db = await openSql(store instanceof SqliteStore ? { ...where, embedded: { store, writer: engine } } : where);
    await db.migrate('wallet', WALLET_MIGRATIONS);
    // Only the counters are asked of here: the payer's level is never read.
    limits = new SpendingLimits(clock, {} as IdentityService, PLATFORM_CURRENCY, DEFAULT_LIMIT_POLICY);
    engine.addGroupTally(limits.tally);
  });

  afterAll(async () => {
    await db?.close();
    await store?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (kind !== 'postgres') return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  const used = async (userId: string) =>
    Object.fromEntries(
      (await db.all<{ period: string; used_minor: bigint }>('SELECT period, used_minor FROM wallet_usage WHERE user_id = ?', [userId])).map((r) => [
        r.period,
        BigInt(r.used_minor),
      ]),
    );
  const charge = (userId: string, amount: bigint, after?: (tx: SqlExecutor) => Promise<void>) =>
    engine.runStep(
      sqlStep('test.charge', async (tx) => {
        await limits.charge(tx, userId, amount, DAY_100);
        await after?.(tx);
      }),
    );

  it('counts the payments of one group against each other and writes each counter once', async () => {
    const outcomes = await Promise.allSettled([charge('u1', 40n), charge('u1', 40n), charge('u1', 40n), charge('u2', 70n)]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[2]).toMatchObject({ reason: { code: 'limit_exceeded', fields: { used: '0.80', left: '0.20' } } });
    expect(await used('u1')).toEqual({ 'D2026-01-15': 80n, Y2026: 80n, lifetime: 80n });
    expect(await used('u2')).toEqual({ 'D2026-01-15': 70n, Y2026: 70n, lifetime: 70n });
    // The next group starts from what was committed.
    await expect(charge('u1', 30n)).rejects.toMatchObject({ code: 'limit_exceeded' });
    await charge('u1', 20n);
    expect((await used('u1'))['D2026-01-15']).toBe(100n);
  });

  it('drops the count of a claim that fails after charging, and keeps the rest of its group', async () => {
    const broken = async () => {
      throw new Error('the claim fails after its charge');
    };
    const outcomes = await Promise.allSettled([charge('u3', 30n, broken), charge('u3', 50n)]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect(await used('u3')).toEqual({ 'D2026-01-15': 50n, Y2026: 50n, lifetime: 50n });
  });

  it('writes no count when the group rolls back, and the next group does not inherit it', async () => {
    const record = engine.runStep({ ...sqlStep('test.broken-record', async () => null), record: async () => Promise.reject(new Error('record broke')) });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const outcomes = await Promise.allSettled([charge('u4', 60n), record]);
    errors.mockRestore();
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(await used('u4')).toEqual({});
    await charge('u4', 100n);
    expect(await used('u4')).toEqual({ 'D2026-01-15': 100n, Y2026: 100n, lifetime: 100n });
  });

  it('gives a charge back in the group that refuses its payment', async () => {
    await engine.runStep({
      ...sqlStep('test.refused', async (tx) => limits.charge(tx, 'u5', 90n, DAY_100)),
      record: (tx) => limits.uncharge(tx, 'u5', 90n, { dayKey: 'D2026-01-15', yearKey: 'Y2026' }),
    });
    expect(await used('u5')).toEqual({});
    await charge('u5', 100n);
  });
});
