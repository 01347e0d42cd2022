// Return-shipping insurance over HTTP through the real server in sandbox mode: the quote from the
// seller's and the buyer's return history, the policy bought with the payment (idempotently), the
// claim paid by itself once a refund of the shipped trade succeeds, once, none without shipping,
// the monthly cap per buyer, the day's loss ratio and its alert. The ledger audit is clean after.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statementDay } from '../sim/bank/statement.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, relogin, type TestUser } from './support/users.ts';

const HOUR_MS = 3_600_000;

describe.each(storesUnderTest())('return-shipping insurance over HTTP (%s)', (store) => {
  let server: TestServer;
  let buyer: TestUser;
  let merchantId = '';
  let today = '';
  let seq = 0;
  const as = (method: string, route: string, body?: unknown) => send(server.url + route, buyer.token, method, body);
  /** What the buyer can spend: an escrow payment is held from the balance until it settles or is refunded. */
  const balance = async () => (await as('GET', '/v1/wallet')).body.available;
  const moveTo = async (ms: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { now: new Date(ms).toISOString() })).status).toBe(200);
    buyer = await relogin(server, buyer);
  };
  const advance = (seconds: number) => moveTo(server.app.clock.now() + seconds * 1000);
  const escrowTrade = async (productCode: 'ESCROW_TRADE_PAY' | 'FAST_INSTANT_TRADE_PAY' = 'ESCROW_TRADE_PAY') =>
    (await server.app.trades.create(merchantId, { outTradeNo: `ins-${++seq}`, subject: 'Shoes', totalAmountMinor: 10_000n, productCode })).tradeNo;
  const payInsured = (tradeNo: string, requestId = `pay-${tradeNo}`) =>
    as('POST', `/v1/trades/${tradeNo}/pay`, { request_id: requestId, return_insurance: true });
  const shipAndRefund = async (tradeNo: string, ship = true) => {
    if (ship) await server.app.trades.ship(merchantId, { tradeNo }, { logisticsType: 'EXPRESS' });
    await server.app.trades.refund(merchantId, { tradeNo }, { refundAmountMinor: 10_000n, outRequestNo: `r-${tradeNo}` });
  };
  const policies = async () =>
    (await as('GET', '/v1/insurance/policies')).body.policies as { trade_no: string; status: string; premium: string; claim: { amount: string } | null }[];
  const policyOf = async (tradeNo: string) => (await policies()).find((p) => p.trade_no === tradeNo);

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    merchantId = (
      await server.app.merchants.create({ name: 'Shoe shop', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), feeBps: 60 })
    ).merchantId;
    buyer = await newUser(server);
    await fund(server, buyer, '1000.00');
    // 10:00 in Shanghai the next day: every claim of the test falls in one day, so in one month.
    const tomorrow = statementDay(server.app.clock.now() + 24 * HOUR_MS, 'Asia/Shanghai');
    await moveTo(Date.parse(`${tomorrow}T02:00:00Z`));
    today = statementDay(server.app.clock.now(), 'Asia/Shanghai');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('quotes a newcomer on the prior and buys the policy with the payment, once', async () => {
    const tradeNo = await escrowTrade();
    expect((await as('GET', `/v1/trades/${tradeNo}/return-insurance`)).body).toEqual({ premium: '1.70', payout: '10.00' });
    const paid = await payInsured(tradeNo);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.return_insurance).toMatchObject({ status: 'bought', premium: '1.70', payout: '10.00' });
    expect(await balance()).toBe('898.30');
    const again = await payInsured(tradeNo);
    expect(again.body.return_insurance).toEqual(paid.body.return_insurance);
    expect(await balance()).toBe('898.30');
    const instant = await escrowTrade('FAST_INSTANT_TRADE_PAY');
    const refused = await as('GET', `/v1/trades/${instant}/return-insurance`);
    expect([refused.status, refused.body.code]).toEqual([409, 'not_insurable']);

    await shipAndRefund(tradeNo);
    await advance(10);
    expect(await policyOf(tradeNo)).toMatchObject({ status: 'claimed', claim: { amount: '10.00' } });
    expect(await balance()).toBe('1008.30');
    await advance(60);
    expect(await balance()).toBe('1008.30');
  });

  it('prices the next trade up from the seller and buyer return history', async () => {
    const tradeNo = await escrowTrade();
    const premium = (await as('GET', `/v1/trades/${tradeNo}/return-insurance`)).body.premium;
    // One paid trade of each, returned: (1+1)/(1+10) each, 0.50 + 10.00 × 2/11 × 1.2 = 2.68.
    expect(premium).toBe('2.68');
  });

  it('pays nothing for a refund before the goods shipped', async () => {
    const tradeNo = await escrowTrade();
    expect((await payInsured(tradeNo)).body.return_insurance.status).toBe('bought');
    await shipAndRefund(tradeNo, false);
    await advance(10);
    expect((await policyOf(tradeNo))?.status).toBe('active');
  });

  it('caps the claims of a buyer in a month', async () => {
    const trades = [await escrowTrade(), await escrowTrade(), await escrowTrade()];
    for (const tradeNo of trades) {
      expect((await payInsured(tradeNo)).body.return_insurance.status).toBe('bought');
      await shipAndRefund(tradeNo);
      await advance(10);
    }
    expect(await Promise.all(trades.map(async (t) => (await policyOf(t))?.status))).toEqual(['claimed', 'claimed', 'cap_reached']);
  });

  it("reports the day's premiums, claims and loss ratio, and alerts on it the next day", async () => {
    const all = await policies();
    const fen = (s: string) => BigInt(s.replace('.', ''));
    const premiums = all.reduce((sum, p) => sum + fen(p.premium), 0n);
    const claims = all.reduce((sum, p) => sum + (p.claim ? fen(p.claim.amount) : 0n), 0n);
    expect(claims).toBe(3_000n);
    const report = await server.call('GET', `/v1/admin/insurance/report?date=${today}`);
    expect(report.body).toEqual({
      date: today,
      premiums: `${premiums / 100n}.${String(premiums % 100n).padStart(2, '0')}`,
      claims: '30.00',
      loss_ratio: expect.stringMatching(/^\d+\.\d{4}$/),
    });
    expect(Number(report.body.loss_ratio)).toBeCloseTo(Number(claims) / Number(premiums), 4);
    expect((await server.call('GET', '/v1/admin/insurance/report?date=2026-02-30')).status).toBe(400);
    await moveTo(server.app.clock.now() + 16 * HOUR_MS);
    const stored = await server.app.sql.get<{ alerted: bigint }>('SELECT alerted FROM insurance_reports WHERE date = ?', [today]);
    expect(stored?.alerted).toBe(1n);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
