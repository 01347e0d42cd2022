// End-to-end tests of the buyer's trade routes over the real HTTP server: paycode, paying an
// escrow trade from the wallet, confirm and extend, ownership, disputes with the operator's
// decision, the paged list, bad input as 4xx, and a clean ledger audit. SQLite; PostgreSQL when set.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send } from './support/http.ts';
import { verifyTo } from './support/users.ts';

describe.each(storesUnderTest())('buyer trade routes over HTTP (%s)', (store) => {
  let server: TestServer;
  let merchantId = '';
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer({ store });
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await server.app.merchants.create({
      name: 'Lamp shop',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
    });
    merchantId = merchant.merchantId;
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(async () => {
    await server.app.engine.drained();
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  const as = (token: string | undefined, method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);

  async function buyer(fund: string, verified = true): Promise<{ id: string; token: string; phone: string }> {
    seq += 1;
    const phone = `136${String(Date.now() % 10000).padStart(4, '0')}${String(seq).padStart(4, '0')}`;
    const reg = await as(undefined, 'POST', '/v1/users', { phone, password: 'correct horse', name: 'Buyer' });
    const token = (await as(undefined, 'POST', '/v1/sessions', { phone, password: 'correct horse' })).body.token;
    if (verified) await verifyTo(server, { id: reg.body.user_id, phone, token }, 'I');
    const credit = await server.call('POST', '/v1/admin/adjustments', {
      user_id: reg.body.user_id,
      amount: fund,
      currency: 'CNY',
      direction: 'credit',
      reason: 'test',
      request_id: `f-${seq}`,
    });
    expect(credit.status).toBe(200);
    return { id: reg.body.user_id, token, phone };
  }

  /** The buyer's level I lifetime limit as GET /v1/wallet shows it. */
  async function lifetime(token: string): Promise<{ used: string; left: string }> {
    return (await as(token, 'GET', '/v1/wallet')).body.limits.find((l: { name: string }) => l.name === 'level_I_lifetime');
  }

  const escrowTrade = (outTradeNo: string, amountMinor: bigint) =>
    server.app.trades.create(merchantId, { outTradeNo, subject: 'Lamp', totalAmountMinor: amountMinor, productCode: 'ESCROW_TRADE_PAY' });

  it('issues a paycode to a logged-in buyer only', async () => {
    const b = await buyer('1.00');
    const code = await as(b.token, 'GET', '/v1/wallet/paycode');
    expect(code.status).toBe(200);
    expect(code.body.auth_code).toMatch(/^28\d{16}$/);
    expect(code.body.expires_at).toBe(server.clock.now() + 120_000);
    expect((await as(undefined, 'GET', '/v1/wallet/paycode')).status).toBe(401);
  });

  it('pays, confirms and lists an escrow trade; others cannot touch it', async () => {
    const b = await buyer('100.00');
    const other = await buyer('100.00');
    const t = await escrowTrade('http-1', 2_500n);
    const paid = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'pay-1' });
    expect(paid).toMatchObject({ status: 200, body: { trade_status: 'WAIT_SELLER_SEND_GOODS', total_amount: '25.00', currency: 'CNY' } });
    expect((await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'pay-1' })).body.trade_status).toBe('WAIT_SELLER_SEND_GOODS');
    expect(await as(other.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'pay-2' })).toMatchObject({
      status: 409,
      body: { code: 'TRADE_HAS_SUCCESS' },
    });
    expect(await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/confirm`)).toMatchObject({ status: 409, body: { code: 'TRADE_STATUS_ERROR' } });
    await server.app.trades.ship(merchantId, { tradeNo: t.tradeNo }, { logisticsType: 'EXPRESS', waybillNo: 'SF9' });
    expect(await as(other.token, 'POST', `/v1/trades/${t.tradeNo}/confirm`)).toMatchObject({ status: 404, body: { code: 'TRADE_NOT_EXIST' } });
    const ext = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/extend`);
    expect(ext).toMatchObject({ status: 200, body: { extended: true, logistics_type: 'EXPRESS', waybill_no: 'SF9' } });
    expect((await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/extend`)).body.code).toBe('TRADE_STATUS_ERROR');
    const done = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/confirm`);
    expect(done).toMatchObject({ status: 200, body: { trade_status: 'TRADE_SUCCESS' } });
    expect((await as(b.token, 'GET', '/v1/wallet')).body.balance).toBe('75.00');
    const list = await as(b.token, 'GET', '/v1/trades?limit=10');
    expect(list.body.trades.map((x: { trade_no: string }) => x.trade_no)).toEqual([t.tradeNo]);
    expect((await as(other.token, 'GET', '/v1/trades')).body.trades).toEqual([]);
    const poor = await buyer('0.01');
    const t2 = await escrowTrade('http-2', 2_500n);
    expect(await as(poor.token, 'POST', `/v1/trades/${t2.tradeNo}/pay`, { request_id: 'p' })).toMatchObject({
      status: 422,
      body: { code: 'BUYER_BALANCE_NOT_ENOUGH' },
    });
  });

  it('opens a dispute and lets the operator refund the buyer', async () => {
    const b = await buyer('50.00');
    const t = await escrowTrade('http-3', 5_000n);
    await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'p' });
    const d = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/disputes`, { reason: 'broken on arrival' });
    expect(d).toMatchObject({ status: 201, body: { status: 'open', reason: 'broken on arrival' } });
    expect((await as(b.token, 'POST', `/v1/admin/trades/${t.tradeNo}/dispute-decision`, { decision: 'refund' })).status).toBe(401);
    const decided = await server.call('POST', `/v1/admin/trades/${t.tradeNo}/dispute-decision`, { decision: 'refund', note: 'photos' });
    expect(decided).toMatchObject({ status: 200, body: { status: 'refunded', operator_note: 'photos' } });
    expect((await as(b.token, 'GET', '/v1/wallet')).body.balance).toBe('50.00');
    expect((await server.call('POST', '/v1/admin/trades/trd_none/dispute-decision', { decision: 'release' })).status).toBe(404);
  });

  it('refuses an unverified buyer: an unverified account can receive money but not pay out', async () => {
    const b = await buyer('100.00', false);
    const t = await escrowTrade('http-unverified', 1_000n);
    const refused = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'u-1' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'verification_required', limit: 'unverified' } });
    expect((await server.app.trades.query(merchantId, { tradeNo: t.tradeNo })).status).toBe('WAIT_BUYER_PAY');
    expect((await as(b.token, 'GET', '/v1/wallet')).body.balance).toBe('100.00');
  });

  it('holds a level I buyer to 1,000 CNY lifetime across trade payments and wallet transfers together', async () => {
    const b = await buyer('3000.00');
    const friend = await buyer('0.01');
    const sent = await as(b.token, 'POST', '/v1/wallet/transfers', { to_phone: friend.phone, amount: '600.00', currency: 'CNY', request_id: 'w-1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const big = await escrowTrade('http-limit-1', 40_001n);
    const over = await as(b.token, 'POST', `/v1/trades/${big.tradeNo}/pay`, { request_id: 'l-1' });
    expect(over).toMatchObject({
      status: 422,
      body: { code: 'limit_exceeded', limit: 'level_I_lifetime', used: '600.00', left: '400.00', limit_amount: '1000.00', currency: 'CNY' },
    });
    expect((await server.app.trades.query(merchantId, { tradeNo: big.tradeNo })).status).toBe('WAIT_BUYER_PAY');
    expect(await lifetime(b.token)).toMatchObject({ used: '600.00', left: '400.00' });
    const fits = await escrowTrade('http-limit-2', 40_000n);
    expect((await as(b.token, 'POST', `/v1/trades/${fits.tradeNo}/pay`, { request_id: 'l-2' })).status).toBe(200);
    expect(await lifetime(b.token)).toMatchObject({ used: '1000.00', left: '0.00' });
    // The trade payment counts for the wallet's transfers too.
    const last = await as(b.token, 'POST', '/v1/wallet/transfers', { to_phone: friend.phone, amount: '0.01', currency: 'CNY', request_id: 'w-2' });
    expect(last).toMatchObject({ status: 422, body: { code: 'limit_exceeded', limit: 'level_I_lifetime', used: '1000.00', left: '0.00' } });
    expect((await as(b.token, 'GET', '/v1/wallet')).body).toMatchObject({ balance: '2400.00', available: '2000.00' });
  });

  it('lets the payment PIN, checked first, put a trade payment under the two-factor daily limit', async () => {
    const b = await buyer('9000.00');
    await verifyTo(server, { id: b.id, phone: b.phone, token: b.token }, 'III');
    expect((await as(b.token, 'PUT', '/v1/me/payment-pin', { payment_pin: '246810', password: 'correct horse' })).status).toBe(200);
    const big = await escrowTrade('http-2fa-1', 300_000n);
    const oneFactor = await as(b.token, 'POST', `/v1/trades/${big.tradeNo}/pay`, { request_id: '2fa-1' });
    expect(oneFactor).toMatchObject({ status: 422, body: { code: 'limit_exceeded', limit: 'daily_one_factor', left: '1000.00' } });
    const wrong = await as(b.token, 'POST', `/v1/trades/${big.tradeNo}/pay`, { request_id: '2fa-2', payment_pin: '000000' });
    expect(wrong.body.code).toBe('payment_pin_wrong');
    expect((await server.app.trades.query(merchantId, { tradeNo: big.tradeNo })).status).toBe('WAIT_BUYER_PAY');
    const paid = await as(b.token, 'POST', `/v1/trades/${big.tradeNo}/pay`, { request_id: '2fa-3', payment_pin: '246810' });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    const next = await escrowTrade('http-2fa-2', 200_001n);
    const over = await as(b.token, 'POST', `/v1/trades/${next.tradeNo}/pay`, { request_id: '2fa-4', payment_pin: '246810' });
    expect(over).toMatchObject({ status: 422, body: { code: 'limit_exceeded', limit: 'daily_two_factor', used: '3000.00', left: '2000.00' } });
  });

  it('gives the usage back when the ledger refuses a trade payment, once', async () => {
    const b = await buyer('10.00');
    const t = await escrowTrade('http-refused', 2_500n);
    const refused = await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'r-1' });
    expect(refused).toMatchObject({ status: 422, body: { code: 'BUYER_BALANCE_NOT_ENOUGH' } });
    expect(await lifetime(b.token)).toMatchObject({ used: '0.00', left: '1000.00' });
    // A replay stays refused and gives nothing back twice.
    expect((await as(b.token, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: 'r-1' })).body.code).toBe('BUYER_BALANCE_NOT_ENOUGH');
    expect(await lifetime(b.token)).toMatchObject({ used: '0.00', left: '1000.00' });
    const small = await escrowTrade('http-refused-2', 500n);
    expect((await as(b.token, 'POST', `/v1/trades/${small.tradeNo}/pay`, { request_id: 'r-2' })).status).toBe(200);
    expect(await lifetime(b.token)).toMatchObject({ used: '5.00', left: '995.00' });
  });

  it('answers bad input with 4xx, never 500', async () => {
    const b = await buyer('1.00');
    expect(await as(b.token, 'POST', '/v1/trades/trd_none/pay', { request_id: 'x' })).toMatchObject({ status: 404, body: { code: 'TRADE_NOT_EXIST' } });
    expect((await as(b.token, 'POST', '/v1/trades/trd_none/pay', {})).status).toBe(400);
    expect((await as(b.token, 'POST', '/v1/trades/trd_none/pay', { request_id: 'bad id!' })).status).toBe(400);
    expect((await as(b.token, 'POST', '/v1/trades/trd_none/pay', { request_id: 'x', card_id: 'no such card!' })).status).toBe(400);
    expect((await as(b.token, 'POST', '/v1/trades/trd_none/disputes', { reason: '' })).status).toBe(400);
    expect((await as(b.token, 'GET', '/v1/trades?limit=0')).status).toBe(400);
    expect((await server.call('POST', '/v1/admin/trades/trd_none/dispute-decision', { decision: 'maybe' })).status).toBe(400);
    expect((await as(undefined, 'POST', '/v1/trades/trd_none/confirm')).status).toBe(401);
  });
});
