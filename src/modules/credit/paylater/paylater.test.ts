// Pay later on the books, on real SQLite (and PostgreSQL when DATABASE_URL is set): a purchase billed
// on next month's statement, the interest-free case, the unpaid rest accruing after the due date with
// suspension after 7 days overdue, the minimum lifting it, instalments with their fee, the audit clean;
// and a marketplace purchase left unbilled until its trade settles or closes.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreditFixture, creditFixture, storesUnderTest } from '../credit-test-support.ts';

describe.each(storesUnderTest)('pay later (%s)', (store) => {
  let f: CreditFixture;
  let buyers: { free: string; late: string; split: string; poor: string };

  beforeAll(async () => {
    f = await creditFixture(store, Date.UTC(2026, 2, 15, 2)); // 2026-03-15, 10:00 in Shanghai
    buyers = { free: await f.borrower(500_000n), late: await f.borrower(500_000n), split: await f.borrower(500_000n), poor: await f.borrower(0n) };
    for (const [name, id] of Object.entries(buyers)) {
      if (name === 'poor') continue;
      await f.app.credit.payLater.purchase(id, {
        amount: name === 'split' ? 120_000n : 100_000n,
        tradeNo: `T-${name}`,
        requestId: `buy-${name}`,
        billOnReceipt: false,
      });
    }
  });
  afterAll(async () => {
    await f.close();
  });

  const payLater = () => f.app.credit.payLater;

  it('draws a purchase into the wallet within the line, once per request id', async () => {
    expect(await f.wallet(buyers.free)).toBe(600_000n);
    expect(await payLater().purchase(buyers.free, { amount: 100_000n, tradeNo: 'T-free', requestId: 'buy-free', billOnReceipt: false })).toEqual({
      fresh: false,
      month: '2026-04',
    });
    expect(await f.wallet(buyers.free)).toBe(600_000n);
    const line = await payLater().line(buyers.free);
    expect(line).toEqual({ limit: 500_000n, available: 400_000n, status: 'active' });
    await expect(payLater().purchase(buyers.free, { amount: 400_001n, tradeNo: 'T-big', requestId: 'buy-big', billOnReceipt: false })).rejects.toMatchObject({
      code: 'exceeds_line',
    });
    await expect(payLater().purchase(buyers.poor, { amount: 100n, tradeNo: 'T-poor', requestId: 'buy-poor', billOnReceipt: false })).rejects.toMatchObject({
      code: 'no_credit',
    });
    expect((await payLater().statement(buyers.free, '2026-04')).status).toBe('pending');
  });

  it('issues the statement on the 1st and charges nothing when paid in full by the 10th', async () => {
    while (f.today() < '2026-04-02') await f.passDays(1);
    const issued = await payLater().statement(buyers.free, '2026-04');
    expect(issued).toMatchObject({ statementDate: '2026-04-01', dueDate: '2026-04-10', total: 100_000n, minimum: 10_000n, paid: 0n, status: 'issued' });
    const paid = await payLater().repay(buyers.free, '2026-04', 100_000n, 'pay-all');
    expect(paid.status).toBe('paid');
    expect(await f.wallet(buyers.free)).toBe(500_000n);
  });

  it('splits a statement into 3 instalments for a 2.5% fee, before the due date', async () => {
    const split = await payLater().instalments(buyers.split, '2026-04', 3);
    expect(split.fee).toBe(3_000n);
    expect(split.plan.map((i) => [i.dueDate, i.principal, i.fee])).toEqual([
      ['2026-04-10', 40_000n, 1_000n],
      ['2026-05-10', 40_000n, 1_000n],
      ['2026-06-10', 40_000n, 1_000n],
    ]);
    expect(split.status).toBe('instalments');
    await expect(payLater().instalments(buyers.split, '2026-04', 6)).rejects.toMatchObject({ code: 'already_instalments' });
    await payLater().repay(buyers.split, '2026-04', 41_000n, 'first');
  });

  it('accrues 0.05% a day on the unpaid rest after the due date and suspends after 7 days overdue', async () => {
    while (f.today() < '2026-04-11') await f.passDays(1);
    expect((await payLater().statement(buyers.late, '2026-04')).interest).toBe(50n);
    expect((await payLater().line(buyers.late)).status).toBe('active');
    while (f.today() < '2026-04-18') await f.passDays(1);
    const late = await payLater().statement(buyers.late, '2026-04');
    expect(late).toMatchObject({ status: 'overdue', interest: 400n });
    expect((await payLater().line(buyers.late)).status).toBe('suspended');
    await expect(payLater().purchase(buyers.late, { amount: 100n, tradeNo: 'T-late2', requestId: 'buy-late-2', billOnReceipt: false })).rejects.toMatchObject({
      code: 'paylater_suspended',
    });
    // The minimum lifts it: the interest is paid first, the rest goes to principal.
    const after = await payLater().repay(buyers.late, '2026-04', 10_000n, 'minimum');
    expect(after).toMatchObject({ status: 'revolving', paid: 10_000n, outstanding: 90_400n });
    expect((await payLater().line(buyers.late)).status).toBe('active');
    await expect(payLater().repay(buyers.late, '2026-04', 90_401n, 'too-much')).rejects.toMatchObject({ code: 'repayment_exceeds_owed' });
    // The instalment buyer paid the first instalment on time and is not late; the free buyer accrued nothing.
    expect((await payLater().statement(buyers.split, '2026-04')).status).toBe('instalments');
    expect((await payLater().statement(buyers.free, '2026-04')).interest).toBe(0n);
    expect(await f.auditProblems()).toEqual([]);
  });
});

describe.each(storesUnderTest)('pay later at a marketplace (%s)', (store) => {
  let f: CreditFixture;

  beforeAll(async () => {
    f = await creditFixture(store, Date.UTC(2026, 4, 28, 2)); // 2026-05-28, 10:00 in Shanghai
  });
  afterAll(async () => {
    await f.close();
  });

  it('keeps an escrow purchase unbilled but counted on the line, and bills it after the month its trade closed unsettled', async () => {
    const buyer = await f.borrower(500_000n);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await f.app.merchants.create({ name: 'Kiln', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), feeBps: 60 });
    const trade = await f.app.trades.create(merchant.merchantId, {
      outTradeNo: 'vase-1',
      subject: 'Vase',
      totalAmountMinor: 20_000n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    const payLater = f.app.credit.payLater;
    const limit = (await payLater.line(buyer)).limit;
    expect(await payLater.purchase(buyer, { amount: 20_000n, tradeNo: trade.tradeNo, requestId: 'vase', billOnReceipt: true })).toEqual({
      fresh: true,
      month: '',
    });
    await f.app.trades.payWithWallet(buyer, trade.tradeNo, 'vase');
    expect((await payLater.line(buyer)).available).toBe(limit - 20_000n);

    // Over the month's end and unconfirmed: on no statement yet.
    await f.passDays(5);
    expect(f.today()).toBe('2026-06-02');
    await expect(payLater.statement(buyer, '2026-06')).rejects.toMatchObject({ code: 'statement_not_found' });
    // The seller refunds it all before shipping: the money is back in the wallet, billed after June, when the trade closed.
    await f.app.trades.refund(merchant.merchantId, { tradeNo: trade.tradeNo }, { refundAmountMinor: 20_000n, outRequestNo: 'vase-back' });
    expect((await f.app.trades.getForBuyer(trade.tradeNo)).status).toBe('TRADE_CLOSED');
    await f.passDays(1);
    expect(await payLater.statement(buyer, '2026-07')).toMatchObject({ total: 20_000n, status: 'pending' });
    await expect(payLater.statement(buyer, '2026-06')).rejects.toMatchObject({ code: 'statement_not_found' });
    expect((await payLater.line(buyer)).available).toBe(limit - 20_000n);
    expect(await f.auditProblems()).toEqual([]);
  });
});
