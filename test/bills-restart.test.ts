// A bill payment the process left waiting is finished at the next start: the payment is held and
// sent, the process stops before the biller confirms, and the new process's resume pass (the
// runner's `bills` resumer) queries the biller and posts the hold. SQLite, and PostgreSQL when
// DATABASE_URL is set; the ledger audit is clean after.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillerSimApp, startBillerSimulator } from '../sim/biller/server.ts';
import { LATE_CONFIRM_MS } from '../sim/biller/simulator.ts';
import { createFormica, type Formica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { storesUnderTest } from './support/test-server.ts';

describe.each(storesUnderTest())('bill payments across a restart (%s)', (store) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 10, 2));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bills-restart-'));
  const schema = store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  let billers: BillerSimApp & { url: string };
  const open = (): Promise<Formica> =>
    createFormica({
      dataDir,
      clock,
      runJobs: false,
      sandbox: false,
      billerUrl: billers.url,
      databaseUrl: schema ? process.env.DATABASE_URL : undefined,
      databaseSchema: schema,
    });

  beforeAll(async () => {
    billers = await startBillerSimulator({ port: 0, seed: 4, clock });
  });
  afterAll(async () => {
    await billers?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (!schema) return;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('confirms at start what the last process left pending', async () => {
    const first = await open();
    const user = await first.identity.register({ phone: '13700000017', password: 'correct horse', name: 'Wang Fang' });
    await first.wallet.adjust({ userId: user.id, amountMinor: 10_000n, currency: 'CNY', direction: 'credit', reason: 'test funds', requestId: 'restart-fund' });
    const paid = await first.bills.pay(user.id, {
      chargeInst: 'HZ_GAS',
      billKey: '1000000004',
      amountMinor: 6_000n,
      currency: 'CNY',
      funding: 'balance',
      requestId: 'restart-pay',
    });
    expect(paid.status).toBe('pending');
    await first.close();

    clock.advance(LATE_CONFIRM_MS + 1_000);
    const second = await open();
    try {
      expect((await second.bills.get(paid.payment_id))?.status).toBe('completed');
      expect((await second.wallet.summary(paid.user_id)).balanceMinor).toBe(4_000n);
      expect((await verifyStore(second.store)).problems).toEqual([]);
    } finally {
      await second.close();
    }
  });
});
