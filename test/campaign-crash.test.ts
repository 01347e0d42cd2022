// The campaign's reveal survives SIGKILL: a campaign with 20,000 complete sets is revealed by a
// `formica serve` process that is killed while it pays; a fresh process resumes the reveal at
// start, and every winner holds exactly their share (nobody paid twice or skipped), the pool
// holds the remainder, and the ledger audit is clean. SQLite (a process of its own per start).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { campaignPoolAccountId, walletAccountId } from '../src/modules/books/chart.ts';
import { PLATFORM_CURRENCY } from '../src/modules/books/platform-currency.ts';
import { plantCompleteSets } from '../src/modules/campaign/campaign-test-support.ts';
import { formatMinor } from '../src/money/amount.ts';
import { send } from './support/http.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

const TOKEN = 'campaign-crash-operator-token-0123456789abcdef';
const WINNERS = 20_000;
const POOL_MINOR = 123_456_789n;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-campaign-crash-'));
const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
const env = { FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: TOKEN, DATABASE_URL: '' };

/** Where the reveal stands, read beside the running server (WAL lets a reader in). */
function paidCount(db: Database.Database): number {
  const row = db.prepare("SELECT paid_count FROM campaign_campaigns WHERE campaign_id = 'crash'").get() as { paid_count: number } | undefined;
  return row?.paid_count ?? 0;
}

describe('campaign reveal under SIGKILL (sqlite)', () => {
  let server: ServerProcess | undefined;
  afterAll(async () => {
    await server?.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes a reveal killed mid-payout and pays every winner exactly once', async () => {
    const setup = await createFormica({ dataDir, clock: new ManualClock(Date.now()), runJobs: false });
    await setup.campaigns.create({
      campaignId: 'crash',
      name: 'Five blessings',
      poolMinor: POOL_MINOR,
      currency: 'CNY',
      odds: { 富强: 1, 爱国: 1, 和谐: 1, 友善: 1, 敬业: 1 },
      dailyCardCap: 5,
      revealAt: Date.now() + 86_400_000,
      split: 'equal',
    });
    // Complete sets planted directly: the crash, not the drawing, is under test here.
    const users = Array.from({ length: WINNERS }, (_, i) => `usr_crash_${String(i).padStart(5, '0')}`);
    await plantCompleteSets(setup.sql, 'crash', users);
    await setup.close();

    server = await startServerProcess(env, ['serve', '--no-demo']);
    const reader = new Database(path.join(dataDir, 'formica.db'), { readonly: true });
    const revealing = send(`${server.url}/v1/admin/campaigns/crash/reveal`, TOKEN, 'POST').catch(() => null);
    for (let polls = 0; paidCount(reader) === 0 && polls < 6_000; polls++) await new Promise((resolve) => setTimeout(resolve, 5));
    await server.kill('SIGKILL');
    await revealing;
    const paidAtKill = paidCount(reader);
    reader.close();
    expect(paidAtKill).toBeGreaterThan(0);
    expect(paidAtKill).toBeLessThan(WINNERS);

    // The next start resumes the reveal (its resume pass, or the operator's call, whichever comes first).
    server = await startServerProcess(env, ['serve', '--no-demo']);
    const result = await send(`${server.url}/v1/admin/campaigns/crash/reveal`, TOKEN, 'POST');
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    await server.kill('SIGTERM');
    server = undefined;
    const each = POOL_MINOR / BigInt(WINNERS);
    const remainder = POOL_MINOR - each * BigInt(WINNERS);
    expect(result.body).toEqual({ winners: WINNERS, paid: cny(each * BigInt(WINNERS)), remainder: cny(remainder), status: 'revealed' });

    const after = await createFormica({ dataDir, clock: new ManualClock(Date.now()), runJobs: false });
    try {
      const balance = async (id: string) => {
        const a = await after.store.getAccount(id);
        return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
      };
      const wrong: string[] = [];
      for (const u of users) if ((await balance(walletAccountId(u))) !== each) wrong.push(u);
      expect(wrong).toEqual([]);
      expect(await balance(campaignPoolAccountId('crash'))).toBe(remainder);
      expect((await verifyStore(after.store)).problems).toEqual([]);
    } finally {
      await after.close();
    }
  }, 300_000);
});
