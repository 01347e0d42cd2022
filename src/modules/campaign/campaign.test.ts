// The campaign on the books, on real SQLite (and PostgreSQL when DATABASE_URL is set): a pool
// funded in advance, cards by actions under the daily cap, gifts between friends only, the equal
// and random reveal paying complete sets exactly (the remainder left in the pool), a reveal cut off
// after two batches and finished by a new process, and the ledger audit clean after.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormica, type Formica } from '../../app.ts';
import { registerCampaign } from '../../cli/commands/campaign.ts';
import { ManualClock } from '../../engine/clock.ts';
import { verifyStore } from '../../engine/verify.ts';
import { campaignFundingAccountId, campaignPoolAccountId, walletAccountId } from '../books/chart.ts';
import { StepRunner } from '../books/step-runner.ts';
import type { RandomInts } from '../redpacket/split.ts';
import { CampaignService, type NewCampaign } from './campaign.ts';
import { plantCompleteSets } from './campaign-test-support.ts';
import type { SplitPolicy } from './prize-split.ts';

const HOUR_MS = 3_600_000;
const START_MS = Date.UTC(2027, 0, 20, 2); // 10:00 in Shanghai
const storesUnderTest = process.env.DATABASE_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
const EVEN_ODDS = { 富强: 1, 爱国: 1, 和谐: 1, 友善: 1, 敬业: 1 };

/** Draws the kinds in turn under even odds: five actions in a row make a complete set. */
function inTurn(): RandomInts {
  let n = 0;
  return { between: (min, max) => min + (n++ % (max - min + 1)) };
}

describe.each(storesUnderTest)('campaign service (%s)', (store) => {
  const clock = new ManualClock(START_MS);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-campaign-'));
  const schema = store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  let app: Formica;
  let campaigns: CampaignService;
  let seq = 0;

  const openApp = () => createFormica({ dataDir, databaseUrl: schema ? process.env.DATABASE_URL : undefined, databaseSchema: schema, clock, runJobs: false });
  /** A service of its own over the app, with draws in turn and small payout batches. */
  const openCampaigns = (a: Formica) =>
    CampaignService.open({
      db: a.sql,
      engine: a.engine,
      runner: new StepRunner(a.engine),
      clock,
      ids: a.ids,
      identity: a.identity,
      wallet: a.wallet,
      social: a.social,
      random: inTurn(),
      payoutBatch: 7,
    });
  const credit = async (id: string) => {
    const account = await app.store.getAccount(id);
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
  };
  const newCampaign = (over: Partial<NewCampaign> = {}): NewCampaign => ({
    campaignId: `c${++seq}`,
    name: 'Five blessings',
    poolMinor: 100_000n,
    currency: 'CNY',
    odds: EVEN_ODDS,
    dailyCardCap: 100,
    revealAt: clock.now() + HOUR_MS,
    split: 'equal',
    ...over,
  });
  /** `n` users (ids only: cards and prizes need no login) who each act five times: complete sets. */
  async function winners(campaignId: string, n: number): Promise<string[]> {
    const users = Array.from({ length: n }, (_, i) => `usr_${campaignId}_${String(i).padStart(4, '0')}`);
    for (const user of users) for (let a = 0; a < 5; a++) await campaigns.act(campaignId, user, 'scan_fu', `a${a}`);
    return users;
  }
  async function user(name: string) {
    const phone = `139${String(randomBytes(3).readUIntBE(0, 3) % 10_000_000).padStart(7, '0')}${String(++seq % 10)}`.slice(0, 11);
    return app.identity.register({ phone, password: 'correct horse', name });
  }
  async function audit() {
    expect((await verifyStore(app.store)).problems).toEqual([]);
  }

  beforeAll(async () => {
    app = await openApp();
    campaigns = await openCampaigns(app);
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (!schema) return;
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('funds the pool from the prize budget once, replays the same terms and refuses others', async () => {
    const input = newCampaign({ poolMinor: 500_000n });
    const funded = await credit(campaignFundingAccountId('CNY'));
    const created = await campaigns.create(input);
    expect(created).toMatchObject({ campaignId: input.campaignId, poolMinor: 500_000n, status: 'open' });
    expect(await campaigns.create(input)).toEqual(created);
    expect(await credit(campaignPoolAccountId(input.campaignId))).toBe(500_000n);
    expect(await credit(campaignFundingAccountId('CNY'))).toBe(funded - 500_000n);
    await expect(campaigns.create({ ...input, poolMinor: 1n })).rejects.toMatchObject({ code: 'campaign_exists' });
    clock.set(input.revealAt);
    expect(await campaigns.create(input)).toEqual(created);
    await expect(campaigns.create(newCampaign({ odds: { ...EVEN_ODDS, 富强: 0, 爱国: 0, 和谐: 0, 友善: 0, 敬业: 0 } }))).rejects.toMatchObject({
      code: 'invalid_card_odds',
    });
    await expect(campaigns.create(newCampaign({ revealAt: clock.now() }))).rejects.toMatchObject({ code: 'invalid_reveal_time' });
    await expect(campaigns.create(newCampaign({ dailyCardCap: 0 }))).rejects.toMatchObject({ code: 'invalid_daily_card_cap' });
    await expect(campaigns.create(newCampaign({ currency: 'USD' }))).rejects.toMatchObject({ code: 'currency_not_supported' });
    await audit();
  });

  it('gives a card per action up to the daily cap, replays a request id, and opens again the next Shanghai day', async () => {
    const { campaignId } = await campaigns.create(newCampaign({ dailyCardCap: 3, revealAt: clock.now() + 48 * HOUR_MS }));
    const first = await campaigns.act(campaignId, 'usr_capped', 'add_friend', 'r1');
    expect(await campaigns.act(campaignId, 'usr_capped', 'add_friend', 'r1')).toBe(first);
    await expect(campaigns.act(campaignId, 'usr_capped', 'scan_fu', 'r1')).rejects.toMatchObject({ code: 'request_id_reused' });
    await campaigns.act(campaignId, 'usr_capped', 'scan_fu', 'r2');
    await campaigns.act(campaignId, 'usr_capped', 'daily_task', 'r3');
    await expect(campaigns.act(campaignId, 'usr_capped', 'daily_task', 'r4')).rejects.toMatchObject({ code: 'daily_card_cap' });
    const hand = await campaigns.hand(campaignId, 'usr_capped');
    expect(Object.values(hand.cards).reduce((a, b) => a + b, 0)).toBe(3);
    expect(hand.complete).toBe(false);
    clock.advance(14 * HOUR_MS); // 00:00 the next day in Shanghai
    await campaigns.act(campaignId, 'usr_capped', 'daily_task', 'r4');
    await expect(campaigns.act('nope', 'usr_capped', 'scan_fu', 'r1')).rejects.toMatchObject({ code: 'campaign_not_found' });
  });

  it('lets a user give a held card to a friend only, and closes cards at the reveal time', async () => {
    const { campaignId, revealAt } = await campaigns.create(newCampaign());
    const [giver, friend, stranger] = [await user('Giver'), await user('Friend'), await user('Stranger')];
    await app.social.addFriend(giver.id, friend.phone);
    const card = await campaigns.act(campaignId, giver.id, 'scan_fu', 'g1');
    await expect(campaigns.gift(campaignId, giver.id, { card, toPhone: stranger.phone })).rejects.toMatchObject({ code: 'not_a_friend' });
    await expect(campaigns.gift(campaignId, giver.id, { card: card === '敬业' ? '富强' : '敬业', toPhone: friend.phone })).rejects.toMatchObject({
      code: 'card_not_held',
    });
    await campaigns.gift(campaignId, giver.id, { card, toPhone: friend.phone, requestId: 'gift-1' });
    await campaigns.gift(campaignId, giver.id, { card, toPhone: friend.phone, requestId: 'gift-1' });
    expect((await campaigns.hand(campaignId, giver.id)).cards[card]).toBe(0);
    expect((await campaigns.hand(campaignId, friend.id)).cards[card]).toBe(1);
    await expect(campaigns.gift(campaignId, giver.id, { card, toPhone: friend.phone })).rejects.toMatchObject({ code: 'card_not_held' });
    clock.set(revealAt);
    await expect(campaigns.act(campaignId, giver.id, 'scan_fu', 'g2')).rejects.toMatchObject({ code: 'campaign_closed' });
    await expect(campaigns.gift(campaignId, friend.id, { card, toPhone: giver.phone })).rejects.toMatchObject({ code: 'campaign_closed' });
  });

  it('reveals when due: an equal split to the fen among complete sets only, the remainder left in the pool', async () => {
    const { campaignId, revealAt } = await campaigns.create(newCampaign({ poolMinor: 100_000n }));
    const won = await winners(campaignId, 30);
    for (let a = 0; a < 4; a++) await campaigns.act(campaignId, 'usr_four_cards', 'scan_fu', `f${a}`);
    expect(await campaigns.nextRevealDue()).toBeLessThanOrEqual(revealAt);
    clock.set(revealAt);
    await campaigns.revealDue();
    // 1,000.00 among 30: 33.33 each, 0.10 left.
    expect(await campaigns.progress(campaignId)).toEqual({
      campaignId,
      status: 'revealed',
      winners: 30,
      paidWinners: 30,
      paidMinor: 99_990n,
      remainderMinor: 10n,
    });
    for (const w of won) expect(await credit(walletAccountId(w))).toBe(3_333n);
    expect(await credit(walletAccountId('usr_four_cards'))).toBe(0n);
    expect(await credit(campaignPoolAccountId(campaignId))).toBe(10n);
    expect((await campaigns.reveal(campaignId)).paidMinor).toBe(99_990n);
    expect(await campaigns.nextRevealDue()).not.toBe(revealAt);
    await audit();
  });

  it('pays winners the random split, every share at least 1 fen and the whole pool', async () => {
    const { campaignId } = await campaigns.create(newCampaign({ poolMinor: 5_000n, split: 'random' }));
    const won = await winners(campaignId, 12);
    const summary = await campaigns.reveal(campaignId);
    expect(summary).toMatchObject({ winners: 12, paidWinners: 12, paidMinor: 5_000n, remainderMinor: 0n });
    const paid = await Promise.all(won.map((w) => credit(walletAccountId(w))));
    expect(paid.every((p) => p >= 1n)).toBe(true);
    expect(paid.reduce((a, b) => a + b, 0n)).toBe(5_000n);
    expect(await credit(campaignPoolAccountId(campaignId))).toBe(0n);
  });

  it('pays every winner exactly once when a reveal stops after two batches and a new process finishes it', async () => {
    const { campaignId, revealAt } = await campaigns.create(newCampaign({ poolMinor: 99_999n }));
    const won = await winners(campaignId, 40);
    clock.set(revealAt);
    expect(await campaigns.reveal(campaignId, { maxBatches: 2 })).toMatchObject({ status: 'revealing', winners: 40, paidWinners: 14 });
    await app.close();
    app = await openApp();
    campaigns = await openCampaigns(app);
    expect(await app.runner.resumeAll()).toMatchObject({ campaign: expect.any(Number) });
    expect(await campaigns.progress(campaignId)).toMatchObject({ status: 'revealed', paidWinners: 40, paidMinor: 99_960n, remainderMinor: 39n });
    for (const w of won) expect(await credit(walletAccountId(w))).toBe(2_499n);
    expect(await campaigns.revealDue()).toBe(0);
    expect(await credit(campaignPoolAccountId(campaignId))).toBe(39n);
    await audit();
  });

  it('holds the daily cap and pays each winner once under concurrent calls', async () => {
    const capped = await campaigns.create(newCampaign({ dailyCardCap: 3 }));
    const racing = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => campaigns.act(capped.campaignId, 'usr_racer', 'daily_task', `race-${i}`)));
    expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(new Set(racing.flatMap((r) => (r.status === 'rejected' ? [(r.reason as { code: string }).code] : [])))).toEqual(new Set(['daily_card_cap']));

    const { campaignId, revealAt } = await campaigns.create(newCampaign({ poolMinor: 10_000n }));
    const won = await winners(campaignId, 25);
    clock.set(revealAt);
    await Promise.all([campaigns.reveal(campaignId), campaigns.reveal(campaignId), campaigns.revealDue(), app.campaigns.reveal(campaignId)]);
    expect(await campaigns.progress(campaignId)).toMatchObject({ status: 'revealed', paidWinners: 25, paidMinor: 10_000n });
    for (const w of won) expect(await credit(walletAccountId(w))).toBe(400n);
    await audit();
  });

  it('`formica campaign reveal` shows the payout batch by batch, then the result', async () => {
    const { campaignId } = await campaigns.create(newCampaign({ poolMinor: 200_300n }));
    // The app's own service pays 500 a batch: 1,001 winners take three batches.
    const users = Array.from({ length: 1_001 }, (_, i) => `usr_cli_${String(i).padStart(4, '0')}`);
    await plantCompleteSets(app.sql, campaignId, users);
    const seen: string[] = [];
    const lines: string[] = [];
    const program = new Command('formica').exitOverride();
    registerCampaign(
      program,
      async () => ({ app, close: async () => {} }),
      () => ({ log: (l) => lines.push(l), progress: (s) => seen.push(`${s.paidWinners}/${s.winners}`), stop: () => {} }),
    );
    await program.parseAsync(['node', 'formica', 'campaign', 'reveal', campaignId]);
    expect(seen).toEqual(['500/1001', '1000/1001', '1001/1001']);
    expect(lines).toEqual([`${campaignId}: revealed, 1001 winners, paid 2002.00 CNY, remainder 1.00`]);
    expect(await credit(campaignPoolAccountId(campaignId))).toBe(100n);
    expect(await credit(walletAccountId(users[1_000]))).toBe(200n);
  });

  it('property: whatever the pool, winners and policy, the payouts and the remainder sum to the pool', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 1n, max: 10n ** 9n }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom<SplitPolicy>('equal', 'random'),
        async (pool, count, split) => {
          const { campaignId } = await campaigns.create(newCampaign({ poolMinor: pool, split }));
          const won = await winners(campaignId, count);
          const summary = await campaigns.reveal(campaignId);
          const paid = await Promise.all(won.map((w) => credit(walletAccountId(w))));
          expect(paid.reduce((a, b) => a + b, 0n)).toBe(summary.paidMinor);
          expect(summary.paidMinor + summary.remainderMinor).toBe(pool);
          expect(await credit(campaignPoolAccountId(campaignId))).toBe(summary.remainderMinor);
        },
      ),
      { numRuns: 12 },
    );
    await audit();
  });
});
