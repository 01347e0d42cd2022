// Issue 11's "done when", through the real server and driven only by the sandbox clock's route: a
// merchant with six months of trades sees its score with the reasons and borrows in one request,
// agreeing to repay from half of each day's settlements; the next days' sales repay the loan with no
// due date reached and the owner's wallet untouched; a buyer pays a marketplace trade with pay later,
// confirms receipt after the month's end and finds it billed on the month after the confirmation, then
// settles that statement interest-free. The operator's portfolio keeps a daily history, the closed
// month's credit-bureau CSV names each borrower, and the ledger audit is clean.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { generateKeyPairSync } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUsers, relogin, type TestUser } from './support/users.ts';

const DAY_S = 86_400;

describe.each(storesUnderTest())('credit, the whole journey on the sandbox clock (%s)', (store) => {
  let server: TestServer;
  let owner: TestUser;
  let buyers: TestUser[];
  let merchantId: string;
  let loanId: string;
  let sale = 0;

  /** Moves the sandbox clock (every job due on the way runs first) and logs everyone in again. */
  const clockTo = async (shanghai: string) => {
    const moved = await server.call('POST', '/v1/sandbox/clock', { now: `${shanghai}+08:00` });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    owner = await relogin(server, owner);
    buyers = await Promise.all(buyers.map((b) => relogin(server, b)));
  };
  const advanceDays = async (days: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: days * DAY_S })).status).toBe(200);
    owner = await relogin(server, owner);
    buyers = await Promise.all(buyers.map((b) => relogin(server, b)));
  };
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  /** Each buyer buys one 900.00 bowl of noodles, paid from the wallet: an instant trade settles at once. */
  const dayOfSales = async () => {
    for (const buyer of buyers) {
      sale++;
      const trade = await server.app.trades.create(merchantId, {
        outTradeNo: `noodles-${sale}`,
        subject: 'Noodles',
        totalAmountMinor: 90_000n,
        productCode: 'FAST_INSTANT_TRADE_PAY',
      });
      const paid = await as(buyer, 'POST', `/v1/trades/${trade.tradeNo}/pay`, { request_id: `pay-${sale}` });
      expect(paid.body.trade_status, JSON.stringify(paid.body)).toBe('TRADE_SUCCESS');
    }
  };

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true, clock: new ManualClock(Date.parse('2025-07-10T10:00:00+08:00')) });
    [owner, ...buyers] = await newUsers(server, 4);
    for (const buyer of buyers) {
      await fund(server, buyer, '100000.00');
      expect((await server.call('POST', `/v1/admin/users/${buyer.id}/verifications`, { level: 'III', reference: `desk-${buyer.id}` })).status).toBe(201);
    }
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await server.app.merchants.create({
      name: 'Noodle bar',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
      ownerUserId: owner.id,
    });
    merchantId = merchant.merchantId;
    // Seven months of trade, a month at a time on the sandbox clock: six whole months behind the loan.
    for (let month = 0; month < 7; month++) {
      await dayOfSales();
      await advanceDays(31);
    }
  }, 120_000);
  afterAll(async () => {
    await server?.close();
  });

  it('shows the merchant its score with the reasons and lends in one request, repaid from half of each day of sales', async () => {
    await clockTo('2026-02-12T10:00:00');
    const score = await as(owner, 'GET', `/v1/credit/score?merchant_id=${merchantId}`);
    expect(score.status, JSON.stringify(score.body)).toBe(200);
    expect(score.body.score).toBeGreaterThanOrEqual(550);
    expect(score.body.factors).toHaveLength(3);
    for (const factor of score.body.factors) {
      expect(factor.explanation).toMatch(/points?\.$/);
      expect(factor.explanation_zh).toMatch(/分/);
    }
    expect(Number((await as(owner, 'GET', `/v1/credit/line?merchant_id=${merchantId}`)).body.available)).toBeGreaterThanOrEqual(3000);

    const borrowed = await as(owner, 'POST', '/v1/credit/loans', {
      merchant_id: merchantId,
      product: 'instalment',
      months: 3,
      amount: '3000.00',
      currency: 'CNY',
      sales_share_percent: 50,
      request_id: 'noodle-loan-1',
    });
    expect(borrowed.status, JSON.stringify(borrowed.body)).toBe(201);
    expect(borrowed.body.schedule[0].due_date).toBe('2026-03-12');
    loanId = borrowed.body.loan_id;
    expect((await as(owner, 'GET', '/v1/wallet')).body.balance).toBe('3000.00');
    expect((await as(owner, 'PUT', `/v1/credit/loans/${loanId}/sales-share`, { percent: 101 })).status).toBe(400);
    // The cost of repaying early is shown first: none, by the default policy.
    expect((await as(owner, 'GET', `/v1/credit/loans/${loanId}/repayment-quote?amount=100.00`)).body).toEqual({
      applied: { penalty_interest: '0.00', overdue_interest: '0.00', overdue_principal: '0.00', interest: '0.00', principal: '100.00' },
      early_repayment_fee: '0.00',
      total: '100.00',
    });

    // The day's sales: 3 x 900.00 less the 0.6% fee = 2,683.80 settled; half of it, 1,341.90, repays the loan.
    await dayOfSales();
    await advanceDays(1);
    const afterOneDay = await as(owner, 'GET', `/v1/credit/loans/${loanId}`);
    expect(afterOneDay.body).toMatchObject({ status: 'active', outstanding_principal: '1658.10', sales_share_percent: 50, days_past_due: 0 });

    // Two more days of sales finish it, a month before the first due date, and the owner's wallet keeps the 3,000.00.
    for (let day = 0; day < 2; day++) {
      await dayOfSales();
      await advanceDays(1);
    }
    const repaid = await as(owner, 'GET', `/v1/credit/loans/${loanId}`);
    expect(repaid.body).toMatchObject({ status: 'repaid', outstanding_principal: '0.00', accrued_interest: '0.00' });
    expect((await as(owner, 'GET', '/v1/wallet')).body.balance).toBe('3000.00');
    expect((await as(owner, 'PUT', `/v1/credit/loans/${loanId}/sales-share`, { percent: 20 })).body.code).toBe('loan_closed');
    const portfolio = await server.call('GET', '/v1/admin/credit/portfolio?days=3');
    expect(portfolio.body).toMatchObject({ outstanding: '0.00', disbursed: '3000.00', repaid: '3000.00', npl_ratio: '0.0000' });
    expect(portfolio.body.history.map((d: { date: string }) => d.date)).toEqual(['2026-02-13', '2026-02-14', '2026-02-15']);
    expect(portfolio.body.history[0]).toMatchObject({ outstanding: '1658.10', buckets: { current: '1658.10', '90+': '0.00' } });
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('bills a marketplace purchase paid later in the month after the buyer confirms receipt, and settles it', async () => {
    await clockTo('2026-02-26T15:00:00');
    const line = await as(buyers[0], 'GET', '/v1/paylater');
    expect(line.body.status, JSON.stringify(line)).toBe('active');
    expect(Number(line.body.available)).toBeGreaterThanOrEqual(450);
    const trade = await server.app.trades.create(merchantId, {
      outTradeNo: 'bowl-set-1',
      subject: 'Bowl set',
      totalAmountMinor: 45_000n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    const paid = await as(buyers[0], 'POST', `/v1/trades/${trade.tradeNo}/pay`, { request_id: 'bowls-later', funding: 'paylater' });
    expect(paid.body.trade_status, JSON.stringify(paid.body)).toBe('WAIT_SELLER_SEND_GOODS');
    expect((await as(buyers[0], 'GET', '/v1/paylater')).body.available).toBe((Number(line.body.available) - 450).toFixed(2));
    expect((await as(buyers[0], 'GET', '/v1/paylater/statements')).body).toEqual({ used: '450.00', statements: [] });
    await server.app.trades.ship(merchantId, { tradeNo: trade.tradeNo }, { logisticsType: 'EXPRESS', waybillNo: 'SF-1' });

    // Paid in February, received in March: not on March's statement, but on April's.
    await clockTo('2026-03-02T09:00:00');
    expect((await as(buyers[0], 'POST', `/v1/trades/${trade.tradeNo}/confirm`)).body.trade_status).toBe('TRADE_SUCCESS');
    await clockTo('2026-03-03T09:00:00');
    expect((await as(buyers[0], 'GET', '/v1/paylater/statements/2026-03')).body.code).toBe('statement_not_found');
    expect((await as(buyers[0], 'GET', '/v1/paylater/statements/2026-04')).body).toMatchObject({ status: 'pending', total: '450.00' });

    await clockTo('2026-04-05T09:00:00');
    expect((await as(buyers[0], 'GET', '/v1/paylater/statements/2026-04')).body).toMatchObject({ status: 'issued', minimum: '45.00', due_date: '2026-04-10' });
    const settled = await as(buyers[0], 'POST', '/v1/paylater/statements/2026-04/repayments', { amount: '450.00', request_id: 'april' });
    expect(settled.body, JSON.stringify(settled.body)).toMatchObject({ status: 'paid', paid: '450.00', interest: '0.00', outstanding: '0.00' });
    await clockTo('2026-04-20T09:00:00');
    expect((await as(buyers[0], 'GET', '/v1/paylater/statements/2026-04')).body).toMatchObject({ status: 'paid', interest: '0.00' });
    expect((await as(buyers[0], 'GET', '/v1/paylater')).body.available).toBe(line.body.available);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it("issues each closed month's credit-bureau report as CSV, one line per borrower", async () => {
    const csv = async (month: string) => {
      const response = await fetch(`${server.url}/v1/admin/credit/bureau/${month}`, { headers: { authorization: `Bearer ${server.token}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
      return response.text();
    };
    const february = await csv('2026-02');
    const lines = parse(february, { columns: true }) as Record<string, string>[];
    expect(lines).toEqual([
      expect.objectContaining({
        month: '2026-02',
        borrower_type: 'merchant',
        borrower_id: merchantId,
        products: 'loan',
        disbursed_in_month: '3000.00',
        outstanding_principal: '0.00',
        status: 'closed',
      }),
      // Issued as March began: the purchase was owed, not yet billed, not late.
      expect.objectContaining({
        borrower_type: 'person',
        borrower_id: buyers[0].id,
        products: 'paylater',
        disbursed_in_month: '450.00',
        outstanding_principal: '450.00',
        days_past_due: '0',
        status: 'current',
      }),
    ]);
    expect(Number(lines[0].repaid_in_month)).toBeGreaterThan(3000);
    // Kept as first issued, and refused for a month not over yet.
    expect(await csv('2026-02')).toBe(february);
    expect((await server.call('GET', '/v1/admin/credit/bureau/2026-04')).body.code).toBe('month_not_closed');
    expect((await server.call('GET', '/v1/admin/credit/bureau/2026-13')).status).toBe(400);
  });
});
