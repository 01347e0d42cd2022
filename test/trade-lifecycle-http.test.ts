// Trade lifecycle gaps over HTTP, in sandbox mode so the clock moves through the real jobs: the
// ship-by policy (the buyer may cancel an unshipped escrow trade after 5 days; after 10 it refunds
// itself, unless a dispute waits for the operator), `time_expire` through the official alipay-sdk,
// and the seller's answer to a refund request keeping the confirm timer paused.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import type { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { formatChinaTime } from '../src/modules/merchant/protocol/china-time.ts';
import { send } from './support/http.ts';
import { registerMerchantApp } from './support/merchant-app.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, type TestUser } from './support/users.ts';

// The SDK writes version 2 timestamps in the process's local time; merchants run it in CST.
process.env.TZ = 'Asia/Shanghai';

const DAY_S = 86_400;
// Advancing days runs every job's fallback schedule many times over: slow, not stuck.
const DAYS_ADVANCE_TIMEOUT = { timeout: 300_000 };

describe.each(storesUnderTest())('trade lifecycle over HTTP (%s)', DAYS_ADVANCE_TIMEOUT, (store) => {
  let server: TestServer;
  let sdk: AlipaySdk;
  let buyer: TestUser;
  let owner: TestUser;
  let merchantId = '';
  let seq = 0;

  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const advance = async (seconds: number) => expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds })).status).toBe(200);
  const sandboxNow = async () => Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now);
  const trade = (tradeNo: string) => server.app.trades.getForBuyer(tradeNo);
  const balance = async () => (await as(buyer, 'GET', '/v1/wallet')).body.available;
  // biome-ignore lint/suspicious/noExplicitAny: response fields are read loosely
  const exec = (method: string, bizContent: Record<string, unknown>) => sdk.exec(method, { bizContent }) as Promise<any>;

  /** Sessions lapse while the clock jumps days: log in again. */
  async function relogin(user: TestUser): Promise<TestUser> {
    const session = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' });
    return { ...user, token: session.body.token };
  }

  async function paidEscrow(): Promise<string> {
    const t = await server.app.trades.create(merchantId, {
      outTradeNo: `${store}-life-${++seq}`,
      subject: 'Desk',
      totalAmountMinor: 10_000n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    const paid = await as(buyer, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: `pay-${seq}` });
    expect(paid.body, JSON.stringify(paid.body)).toMatchObject({ trade_status: 'WAIT_SELLER_SEND_GOODS' });
    return t.tradeNo;
  }

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
    [buyer, owner] = await Promise.all([newUser(server, 'Buyer'), newUser(server, 'Owner')]);
    await fund(server, buyer, '1000.00');
    ({ merchantId, sdk } = await registerMerchantApp(server, { name: 'Furniture', ownerPhone: owner.phone }));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('lets the buyer cancel an unshipped escrow trade for a full refund once 5 days have passed, not before', async () => {
    const tradeNo = await paidEscrow();
    expect(await balance()).toBe('900.00');
    const early = await as(buyer, 'POST', `/v1/trades/${tradeNo}/cancel`);
    expect([early.status, early.body.code]).toEqual([409, 'TRADE_STATUS_ERROR']);
    expect(early.body.message).toContain(new Date((await trade(tradeNo)).paidAtMs! + 5 * DAY_S * 1000).toISOString());
    await advance(5 * DAY_S);
    buyer = await relogin(buyer);
    const cancelled = await as(buyer, 'POST', `/v1/trades/${tradeNo}/cancel`);
    expect(cancelled.body, JSON.stringify(cancelled.body)).toMatchObject({ trade_status: 'TRADE_CLOSED', refunded_amount: '100.00' });
    expect(await balance()).toBe('1000.00');
    // A shipped trade is past the ship-by question.
    const shipped = await paidEscrow();
    await server.app.trades.ship(merchantId, { tradeNo: shipped }, { logisticsType: 'EXPRESS', waybillNo: 'SF1' });
    expect((await as(buyer, 'POST', `/v1/trades/${shipped}/cancel`)).body.code).toBe('TRADE_STATUS_ERROR');
  });

  it('refunds an unshipped escrow trade by itself after 10 days, but leaves a disputed one to the operator', async () => {
    const quiet = await paidEscrow();
    const disputed = await paidEscrow();
    expect((await as(buyer, 'POST', `/v1/trades/${disputed}/disputes`, { reason: 'seller stopped answering' })).status).toBe(201);
    await advance(10 * DAY_S - 60);
    expect((await trade(quiet)).status).toBe('WAIT_SELLER_SEND_GOODS');
    await advance(60);
    const refunded = await trade(quiet);
    expect(refunded).toMatchObject({ status: 'TRADE_CLOSED', refundedMinor: 10_000n });
    expect((await trade(disputed)).status).toBe('WAIT_SELLER_SEND_GOODS');
    owner = await relogin(owner);
    const timeline = await as(owner, 'GET', `/v1/merchant-console/merchants/${merchantId}/trades/${quiet}`);
    expect(timeline.body.refunds).toEqual([
      expect.objectContaining({ out_request_no: 'UNSHIPPED_REFUND', reason: 'not shipped in time: refunded by the ship-by policy', status: 'done' }),
    ]);
  });

  it('keeps the confirm timer paused after the seller answers a refund request, until the operator decides', async () => {
    buyer = await relogin(buyer);
    const tradeNo = await paidEscrow();
    await server.app.trades.ship(merchantId, { tradeNo }, { logisticsType: 'VIRTUAL' });
    await as(buyer, 'POST', `/v1/trades/${tradeNo}/disputes`, { reason: 'the key does not work' });
    owner = await relogin(owner);
    const answered = await as(owner, 'POST', `/v1/merchant-console/merchants/${merchantId}/trades/${tradeNo}/dispute-answer`, {
      answer: 'A new key was sent on the 2nd',
    });
    expect(answered.body.status).toBe('answered');
    await advance(4 * DAY_S);
    expect(await trade(tradeNo)).toMatchObject({ status: 'WAIT_BUYER_CONFIRM_GOODS', confirmDueAtMs: undefined });
    expect((await server.call('POST', `/v1/admin/trades/${tradeNo}/dispute-decision`, { decision: 'release', note: 'key delivered' })).status).toBe(200);
    expect((await trade(tradeNo)).status).toBe('TRADE_SUCCESS');
    // The ledger's own audit finds every balance and every transfer consistent.
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('closes a trade at its time_expire, given through alipay-sdk, and refuses one out of range', async () => {
    const no = `${store}-expire-${++seq}`;
    const timeExpire = formatChinaTime((await sandboxNow()) + 30 * 60_000);
    const created = await exec('alipay.trade.precreate', { outTradeNo: no, totalAmount: '8.00', subject: 'Lamp', timeoutExpress: '5m', timeExpire });
    expect(created).toMatchObject({ code: '10000', outTradeNo: no });
    await advance(29 * 60);
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ tradeStatus: 'WAIT_BUYER_PAY' });
    await advance(60);
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ tradeStatus: 'TRADE_CLOSED' });
    const past = formatChinaTime((await sandboxNow()) - 60_000);
    expect(await exec('alipay.trade.precreate', { outTradeNo: `${no}-past`, totalAmount: '8.00', subject: 'Lamp', timeExpire: past })).toMatchObject({
      code: '40004',
      subCode: 'ACQ.INVALID_PARAMETER',
    });
    expect(
      await exec('alipay.trade.precreate', { outTradeNo: `${no}-bad`, totalAmount: '8.00', subject: 'Lamp', timeExpire: '2026-13-01 00:00:00' }),
    ).toMatchObject({ code: '40004', subCode: 'ACQ.INVALID_PARAMETER' });
  });
});
