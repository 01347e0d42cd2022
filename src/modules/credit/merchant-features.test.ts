// A merchant's features computed from its own trades through the trade service, on real SQLite (and
// PostgreSQL when DATABASE_URL is set): seven months of sales to three regular buyers and a refund
// give the columns the platform's merchant scorecard reads; its owner sees the merchant's score and
// borrows on the merchant's line in one call, apart from the owner's own line; on the due date the
// loan repays itself from the merchant's settlement balance; the audit stays clean.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantSettlementAccountId } from '../books/chart.ts';
import { type CreditFixture, creditFixture, storesUnderTest } from './credit-test-support.ts';

const DAY_MS = 86_400_000;

describe.each(storesUnderTest)('merchant features and merchant loans (%s)', (store) => {
  let f: CreditFixture;
  let owner: string;
  let merchantId: string;

  beforeAll(async () => {
    f = await creditFixture(store, Date.UTC(2026, 0, 15, 2)); // 2026-01-15, 10:00 in Shanghai
    const { app } = f;
    owner = await f.borrower(0n);
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    merchantId = (
      await app.merchants.create({
        name: 'Noodle bar',
        publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        feeBps: 60,
        ownerUserId: owner,
      })
    ).merchantId;
    const buyers = [await f.borrower(10_000_000n), await f.borrower(10_000_000n), await f.borrower(10_000_000n)];
    for (const b of buyers) await app.identity.addEvidence(b, { source: 'in_person', grantedLevel: 'III', reference: `desk-${b}`, verifiedBy: 'operator' });
    let n = 0;
    for (let month = 0; month < 7; month++) {
      for (const b of buyers) {
        n++;
        const trade = await app.trades.create(merchantId, {
          outTradeNo: `o-${n}`,
          subject: 'Noodles',
          totalAmountMinor: 90_000n,
          productCode: 'FAST_INSTANT_TRADE_PAY',
        });
        await app.trades.payWithWallet(b, trade.tradeNo, `pay-${n}`);
        if (n === 7) await app.trades.refund(merchantId, { tradeNo: trade.tradeNo }, { refundAmountMinor: 90_000n, outRequestNo: 'r-1' });
      }
      f.clock.advance(31 * DAY_MS);
    }
  }, 60_000);
  afterAll(async () => {
    await f.close();
  });

  it('computes the merchant columns from its trades', async () => {
    expect(f.today()).toBe('2026-08-20');
    const score = await f.app.credit.score(owner, merchantId);
    expect(score.modelVersion).toBe(f.app.credit.models.merchant.version);
    expect(score.inputs).toMatchObject({
      months_active: '7',
      monthly_sales: '1575.00',
      refund_rate: '0.0476',
      repeat_buyer_share: '0.8571',
      dispute_rate: '',
      repayment_record: 'none',
    });
    expect(Number(score.inputs.sales_trend)).toBeGreaterThan(0);
    expect(Number(score.inputs.fund_balance)).toBeGreaterThan(17_000);
  });

  it('lends to the owner on the merchant line, apart from the owner own line', async () => {
    const stranger = await f.borrower(0n);
    await expect(f.app.credit.score(stranger, merchantId)).rejects.toMatchObject({ code: 'merchant_not_found' });
    const score = await f.app.credit.score(owner, merchantId);
    expect(score.band).not.toBe('none');
    const line = await f.app.credit.line(owner, merchantId);
    const loan = await f.app.credit.apply(owner, { product: 'short', amount: line.available, days: 15, requestId: 'm-1', merchantId });
    expect(loan.principal).toBe(line.available);
    expect(await f.wallet(owner)).toBe(line.available);
    expect((await f.app.credit.line(owner, merchantId)).available).toBe(0n);
    expect((await f.app.credit.line(owner)).used).toBe(0n);
    await expect(f.app.credit.apply(owner, { product: 'short', amount: 100n, days: 15, requestId: 'm-2', merchantId })).rejects.toMatchObject({
      code: 'exceeds_line',
    });
    expect(await f.auditProblems()).toEqual([]);

    // On the due date the loan repays itself from the merchant's sales first, then the owner's wallet.
    const settlement = merchantSettlementAccountId(merchantId);
    const sales = -(await f.balance(settlement));
    await f.passDays(15);
    const repaid = await f.app.credit.loan(owner, loan.loanId);
    expect(repaid.state.status).toBe('repaid');
    const fromSales = sales + (await f.balance(settlement));
    const fromWallet = line.available - (await f.wallet(owner));
    const owed = loan.state.schedule[0].principal + loan.state.schedule[0].interest;
    expect(fromSales).toBeGreaterThan(0n);
    // All of the sales, or all that was owed, whichever was less.
    expect(fromSales <= sales && fromSales <= owed && (fromSales === sales || fromSales === owed)).toBe(true);
    expect(fromSales + fromWallet).toBe(owed);
    expect(await f.auditProblems()).toEqual([]);
  });
});
