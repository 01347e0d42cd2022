// Credit over HTTP through the real server: the score with its factors, refusals below 550 and beyond
// the line, a short loan disbursed in one request, a repayment, the due date reached by moving the
// injected clock and running the credit-servicing job (the loan collects itself from the wallet), the operator's
// portfolio; a trade paid with pay later and its statement settled, and refunds of one paying the
// line down; the ledger audit clean after.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { registerMerchantApp } from './support/merchant-app.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUsers, relogin, type TestUser } from './support/users.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(storesUnderTest())('credit over HTTP (%s)', (store) => {
  let server: TestServer;
  let newcomer: TestUser;
  let borrower: TestUser;
  let loanId: string;
  const clock = new ManualClock(Date.UTC(2026, 2, 1, 2));
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  /** Day by day, as the job's timer would: each day's interest, then the due date's collection. */
  const passDays = async (days: number) => {
    const servicing = server.app.jobs.find((job) => job.name === 'credit-servicing')!;
    for (let d = 0; d < days; d++) {
      clock.advance(DAY_MS);
      await servicing.tick();
    }
    borrower = await relogin(server, borrower);
  };

  /** A merchant's instant trade waiting for the buyer to pay. */
  const instantTrade = (merchantId: string, outTradeNo: string, fen: bigint) =>
    server.app.trades.create(merchantId, { outTradeNo, subject: 'Tea set', totalAmountMinor: fen, productCode: 'FAST_INSTANT_TRADE_PAY' });

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    [newcomer, borrower] = await newUsers(server, 2);
    await fund(server, borrower, '5000.00');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('explains the score and refuses credit below 550', async () => {
    const score = await as(newcomer, 'GET', '/v1/credit/score');
    expect(score.status, JSON.stringify(score.body)).toBe(200);
    expect(score.body.score).toBeLessThan(550);
    expect(score.body.band).toBe('none');
    expect(score.body.model_version).toMatch(/^sc-[0-9a-f]{12}$/);
    expect(score.body.factors).toHaveLength(3);
    expect(score.body.factors[0].explanation).toMatch(/your score by \d+ points?\.$/);
    const line = await as(newcomer, 'GET', '/v1/credit/line');
    expect(line.body).toEqual({ limit: '0.00', used: '0.00', available: '0.00', daily_rate: '0.0004' });
    const refused = await as(newcomer, 'POST', '/v1/credit/loans', { product: 'short', amount: '100.00', currency: 'CNY', days: 10, request_id: 'n1' });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('no_credit');
    expect((await as(newcomer, 'GET', '/v1/credit/score?merchant_id=m1')).body.code).toBe('merchant_not_found');
  });

  it('refuses a bad term and an amount beyond the line', async () => {
    const loan = (body: Record<string, unknown>) =>
      as(borrower, 'POST', '/v1/credit/loans', { currency: 'CNY', request_id: `bad-${JSON.stringify(body).length}`, ...body });
    expect((await loan({ product: 'short', amount: '100.00', days: 4 })).body.code).toBe('invalid_term');
    expect((await loan({ product: 'instalment', amount: '100.00', months: 4 })).body.code).toBe('invalid_term');
    expect((await loan({ product: 'short', amount: '-1.00', days: 10 })).status).toBe(400);
    const line = await as(borrower, 'GET', '/v1/credit/line');
    expect(Number(line.body.limit)).toBeGreaterThan(0);
    const beyond = await loan({ product: 'short', amount: (Number(line.body.limit) + 0.01).toFixed(2), days: 10 });
    expect(beyond.status).toBe(422);
    expect(beyond.body.code).toBe('exceeds_line');
  });

  it('quotes the schedule and its cost before committing', async () => {
    const quote = await as(borrower, 'GET', '/v1/credit/quote?product=instalment&amount=1000.00&months=3&repayment=annuity');
    expect(quote.status, JSON.stringify(quote.body)).toBe(200);
    expect(quote.body.schedule).toHaveLength(3);
    expect(quote.body.schedule.reduce((sum: number, i: { principal: string }) => sum + Number(i.principal), 0)).toBeCloseTo(1000, 6);
    expect((await as(borrower, 'GET', '/v1/credit/quote?product=short&amount=1000.00&days=30')).body).toEqual({
      schedule: [{ due_date: '2026-03-31', principal: '1000.00', interest: '12.00' }],
      total_interest: '12.00',
    });
    expect((await as(borrower, 'GET', '/v1/credit/quote?product=short&amount=1000.00&days=50')).body.code).toBe('invalid_term');
  });

  it('lends 1,000.00 for 30 days at 12.00 in one request, idempotently', async () => {
    const body = { product: 'short', amount: '1000.00', currency: 'CNY', days: 30, request_id: 'loan-1' };
    const first = await as(borrower, 'POST', '/v1/credit/loans', body);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ status: 'active', schedule: [{ principal: '1000.00', interest: '12.00' }] });
    loanId = first.body.loan_id;
    const again = await as(borrower, 'POST', '/v1/credit/loans', body);
    expect(again.body.loan_id).toBe(loanId);
    expect((await as(borrower, 'GET', '/v1/wallet')).body.balance).toBe('6000.00');
    expect((await as(borrower, 'GET', '/v1/credit/line')).body.used).toBe('1000.00');
    expect((await as(newcomer, 'GET', `/v1/credit/loans/${loanId}`)).status).toBe(404);
  });

  it('takes an early repayment off the principal', async () => {
    const paid = await as(borrower, 'POST', `/v1/credit/loans/${loanId}/repayments`, { amount: '5.00', request_id: 'pay-1' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toEqual({
      applied: { penalty_interest: '0.00', overdue_interest: '0.00', overdue_principal: '0.00', interest: '0.00', principal: '5.00' },
      early_repayment_fee: '0.00',
      outstanding_principal: '995.00',
    });
    const tooMuch = await as(borrower, 'POST', `/v1/credit/loans/${loanId}/repayments`, { amount: '2000.00', request_id: 'pay-2' });
    expect(tooMuch.body.code).toBe('repayment_exceeds_owed');
  });

  it('collects itself from the wallet on the due date as the clock moves', async () => {
    await passDays(29);
    const before = await as(borrower, 'GET', `/v1/credit/loans/${loanId}`);
    expect(before.body).toMatchObject({ status: 'active', outstanding_principal: '995.00', accrued_interest: '11.54', days_past_due: 0 });
    await passDays(1);
    const after = await as(borrower, 'GET', `/v1/credit/loans/${loanId}`);
    expect(after.body).toMatchObject({ status: 'repaid', outstanding_principal: '0.00', accrued_interest: '0.00' });
    // 995.00 x 0.04% x 30 days = 11.94
    expect((await as(borrower, 'GET', '/v1/wallet')).body.balance).toBe('4988.06');
    const portfolio = await server.call('GET', '/v1/admin/credit/portfolio');
    expect(portfolio.body).toMatchObject({
      outstanding: '0.00',
      disbursed: '1000.00',
      repaid: '1000.00',
      npl_ratio: '0.0000',
      provisions: '0.00',
      written_off: '0.00',
    });
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('pays an instant trade with pay later and settles the next month statement', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await server.app.merchants.create({
      name: 'Tea shop',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
    });
    const trade = await instantTrade(merchant.merchantId, 'tea-1', 30_000n);
    const before = (await as(borrower, 'GET', '/v1/wallet')).body.available;
    const line = await as(borrower, 'GET', '/v1/paylater');
    expect(line.body.status).toBe('active');
    const paid = await as(borrower, 'POST', `/v1/trades/${trade.tradeNo}/pay`, { request_id: 'later-1', funding: 'paylater' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.trade_status).toBe('TRADE_SUCCESS');
    expect((await as(borrower, 'POST', `/v1/trades/${trade.tradeNo}/pay`, { request_id: 'later-1', funding: 'paylater' })).body.trade_status).toBe(
      'TRADE_SUCCESS',
    );
    // The trade took what the line brought in: what the buyer can spend is unchanged.
    expect((await as(borrower, 'GET', '/v1/wallet')).body.available).toBe(before);
    expect((await as(borrower, 'GET', '/v1/paylater')).body.available).toBe((Number(line.body.available) - 300).toFixed(2));
    const month = '2026-04';
    expect((await as(borrower, 'GET', `/v1/paylater/statements/${month}`)).body).toMatchObject({
      status: 'pending',
      total: '300.00',
      statement_date: '2026-04-01',
      due_date: '2026-04-10',
    });
    expect((await as(borrower, 'GET', '/v1/paylater/statements/2026-13')).status).toBe(400);
    await passDays(2);
    expect((await as(borrower, 'GET', `/v1/paylater/statements/${month}`)).body).toMatchObject({ status: 'issued', minimum: '30.00', paid: '0.00' });
    const quote = await as(borrower, 'GET', `/v1/paylater/statements/${month}/instalments?months=3`);
    expect(quote.body).toEqual({
      months: 3,
      fee: '7.50',
      instalments: [
        { due_date: '2026-04-10', principal: '100.00', fee: '2.50' },
        { due_date: '2026-05-10', principal: '100.00', fee: '2.50' },
        { due_date: '2026-06-10', principal: '100.00', fee: '2.50' },
      ],
    });
    const settled = await as(borrower, 'POST', `/v1/paylater/statements/${month}/repayments`, { amount: '300.00', request_id: 'settle-1' });
    expect(settled.status, JSON.stringify(settled.body)).toBe(200);
    expect(settled.body).toMatchObject({ status: 'paid', paid: '300.00', interest: '0.00', outstanding: '0.00' });
    expect((await as(borrower, 'POST', `/v1/paylater/statements/${month}/instalments`, { months: 3 })).body.code).toBe('statement_paid');
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it("pays the line down with a pay-later trade's refunds, once per request id, before anything reaches the wallet", async () => {
    const [owner] = await newUsers(server, 1);
    const shop = await registerMerchantApp(server, { name: 'Cup shop', ownerPhone: owner.phone });
    const trade = await instantTrade(shop.merchantId, 'cup-1', 20_000n);
    const line = (await as(borrower, 'GET', '/v1/paylater')).body.available;
    const wallet = (await as(borrower, 'GET', '/v1/wallet')).body.available;
    expect((await as(borrower, 'POST', `/v1/trades/${trade.tradeNo}/pay`, { request_id: 'cup-later', funding: 'paylater' })).status).toBe(200);
    const next = new Date(clock.now() + 8 * 3_600_000); // in Shanghai
    next.setUTCMonth(next.getUTCMonth() + 1, 1);
    const month = next.toISOString().slice(0, 7);
    expect((await as(borrower, 'GET', `/v1/paylater/statements/${month}`)).body).toMatchObject({ total: '200.00', outstanding: '200.00' });
    const refund = (amount: string, no: string) =>
      as(owner, 'POST', `/v1/merchant-console/merchants/${shop.merchantId}/trades/${trade.tradeNo}/refunds`, {
        amount,
        currency: 'CNY',
        reason: 'chipped',
        out_request_no: no,
      });
    expect((await refund('50.00', 'cup-r1')).status).toBe(200);
    expect((await refund('50.00', 'cup-r1')).status).toBe(200);
    expect((await as(borrower, 'GET', `/v1/paylater/statements/${month}`)).body).toMatchObject({ total: '150.00', outstanding: '150.00' });
    expect((await as(borrower, 'GET', '/v1/paylater')).body.available).toBe((Number(line) - 150).toFixed(2));
    expect((await refund('150.00', 'cup-r2')).status).toBe(200);
    expect((await as(borrower, 'GET', `/v1/paylater/statements/${month}`)).body).toMatchObject({ total: '0.00', outstanding: '0.00' });
    expect((await as(borrower, 'GET', '/v1/paylater')).body.available).toBe(line);
    expect((await as(borrower, 'GET', '/v1/wallet')).body.available).toBe(wallet);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
