// Pay later on the books, on real SQLite (and PostgreSQL when DATABASE_URL is set): a purchase billed
// on next month's statement, the interest-free case, the unpaid rest accruing after the due date with
// suspension after 7 days overdue, the minimum lifting it, instalments with their fee, the audit clean;
// a marketplace purchase left unbilled until its trade settles or closes; and refunds of purchases paid
// with pay later, which pay the line down before anything reaches the wallet, in the refund's own commit.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProductCode } from '../../trade/trade-types.ts';
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

describe.each(storesUnderTest)('pay later at a marketplace, and its refunds (%s)', (store) => {
  let f: CreditFixture;
  let merchantId: string;

  beforeAll(async () => {
    f = await creditFixture(store, Date.UTC(2026, 4, 28, 2)); // 2026-05-28, 10:00 in Shanghai
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    merchantId = (await f.app.merchants.create({ name: 'Kiln', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), feeBps: 60 }))
      .merchantId;
  });
  afterAll(async () => {
    await f.close();
  });

  const payLater = () => f.app.credit.payLater;

  /** A buyer with 5,000.00 in the wallet who pays a trade of `fen` with pay later, as the cashier does. */
  async function buyLater(fen: bigint, productCode: ProductCode): Promise<{ buyer: string; tradeNo: string; limit: bigint }> {
    const buyer = await f.borrower(500_000n);
    const trade = await f.app.trades.create(merchantId, { outTradeNo: `o-${buyer}`, subject: 'Vase', totalAmountMinor: fen, productCode });
    await payLater().purchase(buyer, { amount: fen, tradeNo: trade.tradeNo, requestId: `pay-${buyer}`, billOnReceipt: productCode === 'ESCROW_TRADE_PAY' });
    await f.app.trades.payWithWallet(buyer, trade.tradeNo, `pay-${buyer}`);
    return { buyer, tradeNo: trade.tradeNo, limit: (await payLater().line(buyer)).limit };
  }

  const refund = (tradeNo: string, fen: bigint, outRequestNo: string) => f.app.trades.refund(merchantId, { tradeNo }, { refundAmountMinor: fen, outRequestNo });

  it('keeps an escrow purchase unbilled but counted on the line; a refund before billing pays it down, so it is never billed', async () => {
    const { buyer, tradeNo, limit } = await buyLater(20_000n, 'ESCROW_TRADE_PAY');
    expect((await payLater().line(buyer)).available).toBe(limit - 20_000n);
    // Over the month's end and unconfirmed: on no statement yet.
    await f.passDays(5);
    expect(f.today()).toBe('2026-06-02');
    await expect(payLater().statement(buyer, '2026-06')).rejects.toMatchObject({ code: 'statement_not_found' });
    // The seller refunds it all before shipping: the line is whole again and the wallet as it was before the purchase.
    await refund(tradeNo, 20_000n, 'vase-back');
    expect((await f.app.trades.getForBuyer(tradeNo)).status).toBe('TRADE_CLOSED');
    expect((await payLater().line(buyer)).available).toBe(limit);
    expect(await f.wallet(buyer)).toBe(500_000n);
    await f.passDays(1);
    await expect(payLater().statement(buyer, '2026-07')).rejects.toMatchObject({ code: 'statement_not_found' });
    expect(await f.auditProblems()).toEqual([]);
  });

  it('pays a billed, unpaid purchase down refund by refund, once per request id, and lowers the statement', async () => {
    const { buyer, tradeNo, limit } = await buyLater(20_000n, 'FAST_INSTANT_TRADE_PAY');
    await f.passDays(1);
    expect(await payLater().statement(buyer, '2026-07')).toMatchObject({ total: 20_000n, status: 'pending' });
    await refund(tradeNo, 5_000n, 'part-1');
    await refund(tradeNo, 5_000n, 'part-1'); // a replay pays nothing down again
    expect(await payLater().statement(buyer, '2026-07')).toMatchObject({ total: 15_000n, minimum: 1_500n, outstanding: 15_000n });
    expect((await payLater().line(buyer)).available).toBe(limit - 15_000n);
    expect(await f.wallet(buyer)).toBe(500_000n);
    await refund(tradeNo, 15_000n, 'part-2');
    expect(await payLater().statement(buyer, '2026-07')).toMatchObject({ total: 0n, outstanding: 0n, status: 'pending' });
    expect((await payLater().line(buyer)).available).toBe(limit);
    expect(await f.wallet(buyer)).toBe(500_000n);
    while (f.today() < '2026-07-02') await f.passDays(1);
    expect((await payLater().statement(buyer, '2026-07')).status).toBe('paid');
    expect(await f.auditProblems()).toEqual([]);
  });

  it("pays the line down in the refund's own ledger batch: one linked chain, one commit", async () => {
    const { buyer, tradeNo } = await buyLater(20_000n, 'FAST_INSTANT_TRADE_PAY');
    const batches: string[][] = [];
    const stop = f.app.engine.onTransfersCommitted((requests, results) => {
      requests.forEach((events, i) => {
        if (events.some((e) => e.userData === tradeNo)) batches.push(events.map((e, k) => `${e.userData}:${results[i][k]}`));
      });
    });
    try {
      await refund(tradeNo, 8_000n, 'together');
    } finally {
      stop();
    }
    // The refund's transfers and the paydown are one request of one committed batch, all applied.
    expect(batches).toHaveLength(1);
    expect(batches[0]).toContain(`paylater:${buyer}:ok`);
    expect(batches[0].filter((e) => e.startsWith(`${tradeNo}:`)).every((e) => e.endsWith(':ok'))).toBe(true);
    const recorded = await f.app.sql.get<{ status: string; paid_down: bigint }>('SELECT status, paid_down FROM paylater_refunds WHERE user_id = ?', [buyer]);
    expect({ status: recorded!.status, paidDown: BigInt(recorded!.paid_down) }).toEqual({ status: 'applied', paidDown: 8_000n });
    expect(await f.wallet(buyer)).toBe(500_000n);
  });

  it('loses a refund and its paydown together when their commit fails, and makes both when the refund is sent again', async () => {
    const { buyer, tradeNo, limit } = await buyLater(20_000n, 'FAST_INSTANT_TRADE_PAY');
    // The write group fails after the ledger applied the chain and before it committed, as a crash there would.
    const crash = vi.spyOn(payLater().refundPart, 'record').mockRejectedValueOnce(new Error('stopped before the commit'));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      await expect(refund(tradeNo, 8_000n, 'crashed')).rejects.toThrow('stopped before the commit');
    } finally {
      crash.mockRestore();
      logged.mockRestore();
    }
    expect((await f.app.trades.getForBuyer(tradeNo)).refundedMinor).toBe(0n);
    expect(await f.wallet(buyer)).toBe(500_000n);
    expect((await payLater().line(buyer)).available).toBe(limit - 20_000n);
    expect(await f.app.sql.get('SELECT 1 AS found FROM paylater_refunds WHERE user_id = ?', [buyer])).toBeUndefined();
    // Sent again, the refund and its paydown commit together.
    await refund(tradeNo, 8_000n, 'crashed');
    expect((await f.app.trades.getForBuyer(tradeNo)).refundedMinor).toBe(8_000n);
    expect(await f.wallet(buyer)).toBe(500_000n);
    expect((await payLater().line(buyer)).available).toBe(limit - 12_000n);
    expect(await f.auditProblems()).toEqual([]);
  });

  it('sends to the wallet only what the buyer already repaid, and lowers an instalment plan from its last instalment', async () => {
    const repaid = await buyLater(30_000n, 'FAST_INSTANT_TRADE_PAY');
    const split = await buyLater(30_000n, 'FAST_INSTANT_TRADE_PAY');
    const month = (await f.app.sql.get<{ month: string }>('SELECT month FROM paylater_purchases WHERE user_id = ?', [repaid.buyer]))!.month;
    while (f.today() < `${month}-02`) await f.passDays(1);
    await payLater().repay(repaid.buyer, month, 20_000n, 'most');
    await payLater().instalments(split.buyer, month, 3);

    // 10,000 still owed: 10,000 of the refund pays it, the other 5,000 reaches the wallet.
    const wallet = await f.wallet(repaid.buyer);
    await refund(repaid.tradeNo, 15_000n, 'back-1');
    expect(await payLater().statement(repaid.buyer, month)).toMatchObject({ total: 20_000n, outstanding: 0n, status: 'paid' });
    expect(await f.wallet(repaid.buyer)).toBe(wallet + 5_000n);
    // Nothing owed any more: the rest goes to the wallet whole.
    await refund(repaid.tradeNo, 15_000n, 'back-2');
    expect(await f.wallet(repaid.buyer)).toBe(wallet + 20_000n);
    expect((await payLater().line(repaid.buyer)).available).toBe(repaid.limit);

    await refund(split.tradeNo, 12_000n, 'split-back');
    const plan = (await payLater().statement(split.buyer, month)).plan.map((i) => i.principal);
    expect(plan).toEqual([10_000n, 8_000n, 0n]);
    expect((await payLater().statement(split.buyer, month)).total).toBe(18_000n);
    expect(await f.auditProblems()).toEqual([]);
  });
});
