// The accrual on a real store (SQLite, and PostgreSQL when DATABASE_URL is set): holders with odd
// share counts, a run stopped after its first batch and resumed (every holder paid exactly once),
// a rerun that pays nothing, and 30 days of reinvested income within a fen of the exact income,
// with the fund's income account keeping the rest and the ledger audit clean.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, storesUnderTest, type TestServer } from '../../../test/support/test-server.ts';
import { ManualClock } from '../../engine/clock.ts';
import { verifyStore } from '../../engine/verify.ts';
import { fundCustodyAccountId, fundIncomeAccountId, fundIssuanceAccountId, fundSharesAccountId } from '../books/chart.ts';
import { declareStep, payBatchStep } from './fund-accrual.ts';
import { addDays, shanghaiDate, startOfShanghaiDay } from './fund-calendar.ts';
import { accrue } from './fund-income.ts';
import { plantHolders } from './fund-test-support.ts';

const HOLDERS = 23;
const FUND = 'acc';
const E8 = 100_000_000n;

describe.each(storesUnderTest())('fund accrual on a real store (%s)', (store) => {
  let server: TestServer;
  const clock = new ManualClock(Date.parse('2026-03-05T10:00:00+08:00'));
  /** Each holder's user id and subscribed fen, odd amounts. */
  const holders: { userId: string; fen: bigint }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    const { fund, identity, wallet } = server.app;
    await fund.catalog.create({ fundId: FUND, name: 'Accrual', manager: 'M', custodian: 'C', riskLevel: 1, dailyCapMinor: null }, clock.now());
    for (let i = 0; i < HOLDERS; i++) {
      const user = await identity.register({ phone: `1360000${String(i).padStart(4, '0')}`, password: 'correct horse', name: `Holder ${i}` });
      await identity.addEvidence(user.id, { source: 'in_person', grantedLevel: 'III', reference: `desk-${i}`, verifiedBy: 'operator' });
      const fen = 101n + BigInt(i) * 377_773n; // 1.01, 3778.74, ... odd share counts
      await wallet.adjust({ userId: user.id, amountMinor: fen, currency: 'CNY', direction: 'credit', reason: 'test funding', requestId: `fund-${i}` });
      await fund.setRiskProfile(user.id, [1, 1, 1, 1, 1]);
      await fund.subscribe(user.id, { fundId: FUND, amountMinor: fen, currency: 'CNY', requestId: `sub-${i}` });
      holders.push({ userId: user.id, fen });
    }
    clock.set(startOfShanghaiDay('2026-03-06'));
    expect(await fund.confirmDue()).toBe(HOLDERS);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  const sharesOf = async (userId: string, fundId = FUND) => {
    const a = await server.app.store.getAccount(fundSharesAccountId(fundId, userId));
    return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
  };
  const net = async (id: string) => {
    const a = await server.app.store.getAccount(id);
    return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
  };

  it('a run stopped after one batch resumes and pays every holder exactly once; a rerun pays nothing', async () => {
    const { fund, runner } = server.app;
    const date = '2026-03-06';
    const r = 7777n;
    await fund.publishIncome(FUND, date, r);
    clock.set(startOfShanghaiDay(addDays(date, 1)));
    await runner.run(declareStep(FUND, date));
    expect(await runner.run(payBatchStep(FUND, date, 5))).toBe(5);
    // Stopped here; the next run (the job, or the route) picks up after the cursor.
    const result = await fund.accrue(FUND, date);
    const expected = holders.map((h) => (h.fen * r) / E8);
    const paid = expected.reduce((a, b) => a + b, 0n);
    expect(result).toEqual({ date, holders: BigInt(HOLDERS), paidMinor: paid });
    for (const [i, h] of holders.entries()) expect(await sharesOf(h.userId)).toBe(h.fen + expected[i]);
    expect(await fund.accrue(FUND, date)).toEqual(result);
    expect(await fund.accrueDue()).toBe(0);
    for (const [i, h] of holders.entries()) expect(await sharesOf(h.userId)).toBe(h.fen + expected[i]);
  });

  it('30 days of reinvested income: each holder within a fen of the exact income, the rest kept by the fund', async () => {
    const { fund } = server.app;
    // The exact income so far, in 10^-8 fen: the first day's (above) on the subscribed shares.
    const exactE8 = new Map(holders.map((h) => [h.userId, h.fen * 7777n]));
    let date = '2026-03-06';
    for (let day = 1; day <= 30; day++) {
      date = addDays(date, 1);
      const r = 5000n + BigInt((day * 7919) % 4000); // 0.5000 to 0.8999, varying
      for (const h of holders) exactE8.set(h.userId, (exactE8.get(h.userId) ?? 0n) + (await sharesOf(h.userId)) * r);
      await fund.publishIncome(FUND, date, r);
      clock.set(startOfShanghaiDay(addDays(date, 1)));
      await fund.accrueDue();
    }
    let paidTotal = 0n;
    for (const h of holders) {
      const paid = (await sharesOf(h.userId)) - h.fen;
      paidTotal += paid;
      const shortE8 = (exactE8.get(h.userId) ?? 0n) - paid * E8;
      expect(shortE8).toBeGreaterThanOrEqual(0n);
      expect(shortE8).toBeLessThan(E8);
    }
    const kept = await net(fundIncomeAccountId(FUND));
    expect(kept).toBeGreaterThanOrEqual(0n);
    expect(kept).toBeLessThan(BigInt(HOLDERS));
    // Declared = paid + kept; the custodian's cash equals the shares outstanding.
    expect(-(await net(fundIssuanceAccountId(FUND)))).toBe(holders.reduce((s, h) => s + h.fen, 0n) + paidTotal + kept);
    expect(await net(fundCustodyAccountId(FUND))).toBe(-(await net(fundIssuanceAccountId(FUND))));
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('holdings of billions of fen at an extreme income are paid exactly as the pure rule says, carry included', async () => {
    const { fund } = server.app;
    const big = 'big';
    await fund.catalog.create({ fundId: big, name: 'Big', manager: 'M', custodian: 'C', riskLevel: 1, dailyCapMinor: null }, clock.now());
    // Above and below 10^8 fen, where the SQL splits a holding to stay inside BIGINT.
    const planted = [123_456_789_012_345n, 100_000_001n, 99_999_999n, 7n].map((sharesMinor, i) => ({ userId: `usr_big_${i}`, sharesMinor }));
    await plantHolders(server.app, big, planted);
    const held = planted.map((h) => ({ ...h, carryE8: 0n }));
    let date = shanghaiDate(clock.now());
    for (const r of [999_999_999n, 12_345n, 1n]) {
      await fund.publishIncome(big, date, r);
      clock.set(startOfShanghaiDay(addDays(date, 1)));
      await fund.accrue(big, date);
      for (const h of held) {
        const day = accrue(h.sharesMinor, r, h.carryE8);
        h.sharesMinor += day.paidMinor;
        h.carryE8 = day.carryE8;
        expect(await sharesOf(h.userId, big)).toBe(h.sharesMinor);
      }
      date = addDays(date, 1);
    }
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
