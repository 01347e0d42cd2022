// The merchant open API end to end with the official alipay-sdk as the merchant, against the real
// server: registration, every trade method in both protocols, replays, refusals, signed
// notifications to a local HTTP server, the daily bill against the ledger, failed notifications.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { parseAmount } from '../src/money/amount.ts';
import { TransferFlag } from '../src/ledger/index.ts';
import { formatChinaTime } from '../src/modules/merchant/protocol/china-time.ts';
import { signV2Params } from '../src/modules/merchant/protocol/v2-request.ts';
import { signV3Request } from '../src/modules/merchant/protocol/v3-auth.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send } from './support/http.ts';
import { verifyTo } from './support/users.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';

// The SDK writes version 2 timestamps in the process's local time; merchants run it in CST.
process.env.TZ = 'Asia/Shanghai';

/** A merchant's notify endpoint: records every POST and answers `success` unless told otherwise. */
async function startNotifyServer() {
  const received: Array<{ path: string; fields: Record<string, string> }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', fields: Object.fromEntries(new URLSearchParams(body)) });
      res.end(req.url?.startsWith('/broken') ? 'fail' : 'success');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function rejection(promise: Promise<unknown>): Promise<AlipayRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlipayRequestError);
  return error as AlipayRequestError;
}

describe.each(storesUnderTest())('merchant open API with alipay-sdk (%s)', (store) => {
  const merchantKeys = rsaKeyPair();
  const stranger = rsaKeyPair();
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let notify: Awaited<ReturnType<typeof startNotifyServer>>;
  let sdk: AlipaySdk;
  let appId = '';
  let merchantId = '';
  let platformPublicKey = '';
  let buyer = { id: '', token: '', phone: '' };
  let seq = 0;
  const firstDayMs = clock.now();

  const as = (token: string | undefined, method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);
  const outTradeNo = (tag: string) => `${store}-${tag}-${Date.now()}-${++seq}`;
  const paycode = async () => (await as(buyer.token, 'GET', '/v1/wallet/paycode')).body.auth_code as string;
  const balance = async () => (await as(buyer.token, 'GET', '/v1/wallet')).body.balance as string;
  const exec = (method: string, bizContent: Record<string, unknown>, notifyUrl?: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: response fields are read loosely
    sdk.exec(method, notifyUrl ? { bizContent, notifyUrl } : { bizContent }, { validateSign: true }) as Promise<any>;
  // biome-ignore lint/suspicious/noExplicitAny: response fields are read loosely
  const curl = async (path: string, body: Record<string, unknown>): Promise<any> => (await sdk.curl('POST', path, { body })).data;

  async function runNotificationJobs(): Promise<void> {
    for (const job of server.app.jobs.filter((j) => j.name.includes('notif'))) await job.tick();
  }

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    notify = await startNotifyServer();
    const phone = `136${String(Date.now() % 100000).padStart(5, '0')}${store === 'sqlite' ? '001' : '002'}`;
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Buyer' });
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    buyer = { id: reg.body.user_id, token: login.body.token, phone };
    // Paying from the balance needs a verified buyer (level II: its limits leave these tests room).
    const verified = await server.call('POST', `/v1/admin/users/${buyer.id}/verifications`, { level: 'II', reference: 'desk' });
    expect(verified.status, JSON.stringify(verified.body)).toBe(201);
    const credit = await server.call('POST', '/v1/admin/adjustments', {
      user_id: buyer.id,
      amount: '1000.00',
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funds',
      request_id: 'fund-1',
    });
    expect(credit.status, JSON.stringify(credit.body)).toBe(200);
  });

  afterAll(async () => {
    await server?.close();
    await notify?.close();
  });

  it('registers a merchant (operator only) and refuses garbage keys', async () => {
    const body = { name: 'Tea Shop', public_key: merchantKeys.publicKey, fee_bps: 60, notify_url: `${notify.url}/default` };
    expect((await as(undefined, 'POST', '/v1/admin/merchants', body)).status).toBe(401);
    expect((await server.call('POST', '/v1/admin/merchants', { ...body, public_key: 'not a key' })).body).toMatchObject({ code: 'public_key_invalid' });
    expect((await server.call('POST', '/v1/admin/merchants', { ...body, fee_bps: -1 })).status).toBe(400);
    const created = await server.call('POST', '/v1/admin/merchants', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Tea Shop',
      fee_bps: 60,
      merchant_id: expect.stringMatching(/^mch_/),
      app_id: expect.stringMatching(/^\d{16}$/),
    });
    expect(created.body.platform_public_key).toContain('BEGIN PUBLIC KEY');
    ({ app_id: appId, merchant_id: merchantId, platform_public_key: platformPublicKey } = created.body);
    sdk = new AlipaySdk({
      appId,
      privateKey: merchantKeys.privateKey,
      alipayPublicKey: platformPublicKey,
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
    });
    expect(await server.app.store.getAccount(`mch_settle_${merchantId}`)).toBeDefined();
    expect(await server.app.store.getAccount('sys_revenue_cny')).toBeDefined();
  });

  it('creates a trade (v2 exec); the same out_trade_no replays, different content is CONTEXT_INCONSISTENT', async () => {
    const no = outTradeNo('create');
    const first = await exec('alipay.trade.create', { outTradeNo: no, totalAmount: '12.50', subject: 'Oolong' }, `${notify.url}/n`);
    expect(first).toMatchObject({ code: '10000', outTradeNo: no, tradeNo: expect.any(String) });
    const again = await exec('alipay.trade.create', { outTradeNo: no, totalAmount: '12.50', subject: 'Oolong' }, `${notify.url}/n`);
    expect(again.tradeNo).toBe(first.tradeNo);
    const changed = await exec('alipay.trade.create', { outTradeNo: no, totalAmount: '13.00', subject: 'Oolong' });
    expect(changed).toMatchObject({ code: '40004', subCode: 'ACQ.CONTEXT_INCONSISTENT' });
    const queried = await exec('alipay.trade.query', { outTradeNo: no });
    expect(queried).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY', totalAmount: '12.50', tradeNo: first.tradeNo });
  });

  it('refuses bad business fields with 40001/40002, never 500', async () => {
    expect(await exec('alipay.trade.create', { totalAmount: '1.00', subject: 'x' })).toMatchObject({ code: '40001', subCode: 'isv.missing-parameter' });
    for (const totalAmount of ['0.00', '1.001', '-1', 'abc', '100000000.01']) {
      expect(await exec('alipay.trade.create', { outTradeNo: outTradeNo('bad'), totalAmount, subject: 'x' }), totalAmount).toMatchObject({
        code: '40002',
        subCode: 'isv.invalid-parameter',
      });
    }
    expect(await exec('alipay.trade.create', { outTradeNo: 'x'.repeat(65), totalAmount: '1.00', subject: 'x' })).toMatchObject({ code: '40002' });
    expect(await exec('alipay.trade.query', {})).toMatchObject({ code: '40001' });
    expect(await exec('alipay.trade.query', { outTradeNo: 'never-created' })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
    const v3 = await rejection(sdk.curl('POST', '/v3/alipay/trade/create', { body: { out_trade_no: outTradeNo('bad'), total_amount: 'lots', subject: 'x' } }));
    expect(v3).toMatchObject({ code: 'isv.invalid-parameter', responseHttpStatus: 400 });
  });

  it('pays with the buyer paycode (v3 curl), notifies, and the notification verifies with checkNotifySign', async () => {
    const before = await balance();
    const no = outTradeNo('pay');
    const paid = await curl('/v3/alipay/trade/pay', {
      out_trade_no: no,
      total_amount: '20.00',
      subject: 'Pu-erh',
      auth_code: await paycode(),
      notify_url: `${notify.url}/pay`,
    });
    expect(paid).toMatchObject({ out_trade_no: no, trade_status: 'TRADE_SUCCESS', total_amount: '20.00', receipt_amount: '20.00', buyer_pay_amount: '20.00' });
    expect(paid.buyer_logon_id).toMatch(/\*\*\*\*/);
    expect(paid.gmt_payment).toBe(formatChinaTime(clock.now()));
    expect(Number(await balance())).toBeCloseTo(Number(before) - 20, 2);
    // The paycode is one use: a second payment with it is refused.
    const code = await paycode();
    await curl('/v3/alipay/trade/pay', { out_trade_no: outTradeNo('pay'), total_amount: '1.00', subject: 'x', auth_code: code });
    const reused = await rejection(
      sdk.curl('POST', '/v3/alipay/trade/pay', { body: { out_trade_no: outTradeNo('pay'), total_amount: '1.00', subject: 'x', auth_code: code } }),
    );
    expect(reused.code).toBe('ACQ.PAYMENT_AUTH_CODE_INVALID');

    await runNotificationJobs();
    const note = notify.received.find((n) => n.path === '/pay' && n.fields.out_trade_no === no);
    expect(note?.fields).toMatchObject({
      notify_type: 'trade_status_sync',
      app_id: appId,
      trade_no: paid.trade_no,
      trade_status: 'TRADE_SUCCESS',
      total_amount: '20.00',
      sign_type: 'RSA2',
    });
    expect(sdk.checkNotifySign(note?.fields ?? {})).toBe(true);
    expect(sdk.checkNotifySign({ ...note?.fields, total_amount: '2000.00' })).toBe(false);
  });

  it('refuses balance payments the wallet refuses with public sub_codes, never a 500', async () => {
    const phone = `134${String(Date.now() % 100000).padStart(5, '0')}${store === 'sqlite' ? '001' : '002'}`;
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'New Buyer' });
    const token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' })).body.token;
    await server.call('POST', '/v1/admin/adjustments', {
      user_id: reg.body.user_id,
      amount: '3000.00',
      currency: 'CNY',
      direction: 'credit',
      reason: 'test',
      request_id: `fund-${phone}`,
    });
    const codeOf = async () => (await as(token, 'GET', '/v1/wallet/paycode')).body.auth_code as string;
    const pay = async (amount: string) =>
      exec('alipay.trade.pay', { outTradeNo: outTradeNo('limit'), totalAmount: amount, subject: 'Tea', authCode: await codeOf() });
    // Unverified: may receive, not pay.
    expect(await pay('1.00')).toMatchObject({ code: '40004', subCode: 'ACQ.BUYER_ENABLE_STATUS_FORBID' });
    // Level I: 1,000 CNY lifetime (checked before the daily limit). Payments above 1,000.00 wait
    // for the buyer's PIN (10003), so the limits are met here in two payments.
    await verifyTo(server, { id: reg.body.user_id, phone, token }, 'I');
    expect(await pay('600.00')).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
    expect(await pay('500.00')).toMatchObject({ code: '40004', subCode: 'ACQ.BUYER_BALANCE_NOT_ENOUGH' });
    // Level II: only the one-factor daily limit (1,000 CNY, 600 used today) stands in the way.
    await server.call('POST', `/v1/admin/users/${reg.body.user_id}/verifications`, { level: 'II', reference: 'desk' });
    const v3 = await rejection(
      sdk.curl('POST', '/v3/alipay/trade/pay', {
        body: { out_trade_no: outTradeNo('limit'), total_amount: '400.01', subject: 'Tea', auth_code: await codeOf() },
      }),
    );
    expect(v3).toMatchObject({ code: 'ACQ.BUYER_PAYMENT_AMOUNT_DAY_LIMIT_ERROR' });
    expect(v3.responseHttpStatus).toBeLessThan(500);
    expect(await pay('400.00')).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
  });

  it('precreates a QR code that opens the hosted checkout, where the buyer pays from balance', async () => {
    const no = outTradeNo('qr');
    const pre = await exec('alipay.trade.precreate', { outTradeNo: no, totalAmount: '8.80', subject: 'Jasmine <tea>' });
    expect(pre).toMatchObject({ code: '10000', outTradeNo: no });
    const tradeNo = /\/checkout\/([^/?#]+)$/.exec(pre.qrCode)?.[1] ?? '';
    expect(tradeNo).not.toBe('');
    const page = await fetch(`${server.url}/checkout/${tradeNo}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Jasmine &lt;tea&gt;');
    expect(html).toContain('8.80');
    // One language per page: the one asked for, else the browser's (Chinese by default).
    expect(html).toContain('Formica 收银台');
    expect(await (await fetch(`${server.url}/checkout/${tradeNo}?lang=en`)).text()).toContain('Formica Checkout');
    expect((await fetch(`${server.url}/checkout/nope`)).status).toBe(404);
    const payment = await as(buyer.token, 'POST', `/v1/trades/${tradeNo}/pay`, { request_id: `chk-${no}` });
    expect(payment.status, JSON.stringify(payment.body)).toBe(200);
    expect(await exec('alipay.trade.query', { tradeNo })).toMatchObject({ tradeStatus: 'TRADE_SUCCESS', outTradeNo: no });
  });

  it('pageExecute (alipay.trade.page.pay) redirects the browser to the hosted checkout', async () => {
    const link = sdk.pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: outTradeNo('page'), totalAmount: '3.00', subject: 'Sample', productCode: 'FAST_INSTANT_TRADE_PAY' },
    });
    const response = await fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^\/checkout\//);
  });

  it('refunds: partial with out_request_no, replayed with fund_change N, queried; no out_request_no needs the full amount', async () => {
    const no = outTradeNo('refund');
    const paid = await exec('alipay.trade.pay', { outTradeNo: no, totalAmount: '30.00', subject: 'Gift box', authCode: await paycode() });
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
    const partialNoId = await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '5.00' });
    expect(partialNoId).toMatchObject({ code: '40004', subCode: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL' });
    const first = await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '10.00', outRequestNo: 'r1' });
    expect(first).toMatchObject({ code: '10000', fundChange: 'Y', refundFee: '10.00', tradeNo: paid.tradeNo });
    const replay = await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '10.00', outRequestNo: 'r1' });
    expect(replay).toMatchObject({ code: '10000', fundChange: 'N', refundFee: '10.00' });
    const v3 = await curl('/v3/alipay/trade/refund', { trade_no: paid.tradeNo, refund_amount: '5.00', out_request_no: 'r2' });
    expect(v3).toMatchObject({ fund_change: 'Y', refund_fee: '15.00' });
    const tooMuch = await exec('alipay.trade.refund', { outTradeNo: no, refundAmount: '20.00', outRequestNo: 'r3' });
    expect(tooMuch).toMatchObject({ code: '40004' });
    const q = await exec('alipay.trade.fastpay.refund.query', { outTradeNo: no, outRequestNo: 'r1' });
    expect(q).toMatchObject({ code: '10000', refundAmount: '10.00', refundStatus: 'REFUND_SUCCESS', outRequestNo: 'r1', totalAmount: '30.00' });
    const none = await exec('alipay.trade.fastpay.refund.query', { outTradeNo: no, outRequestNo: 'r9' });
    expect(none.code).toBe('10000');
    expect(none.refundAmount).toBeUndefined();
  });

  it('closes an unpaid trade and cancels a paid one (by refunding it)', async () => {
    const open = outTradeNo('close');
    await curl('/v3/alipay/trade/create', { out_trade_no: open, total_amount: '4.00', subject: 'Cup' });
    expect(await curl('/v3/alipay/trade/close', { out_trade_no: open })).toMatchObject({ out_trade_no: open });
    expect(await curl('/v3/alipay/trade/query', { out_trade_no: open })).toMatchObject({ trade_status: 'TRADE_CLOSED' });
    const again = await rejection(
      sdk.curl('POST', '/v3/alipay/trade/pay', { body: { out_trade_no: open, total_amount: '4.00', subject: 'Cup', auth_code: await paycode() } }),
    );
    expect(again.code).toMatch(/^ACQ\./);

    const paidNo = outTradeNo('cancel');
    await exec('alipay.trade.pay', { outTradeNo: paidNo, totalAmount: '6.00', subject: 'Pot', authCode: await paycode() });
    const cancelled = await exec('alipay.trade.cancel', { outTradeNo: paidNo });
    expect(cancelled).toMatchObject({ code: '10000', action: 'refund', retryFlag: 'N' });
    expect(await exec('alipay.trade.query', { outTradeNo: paidNo })).toMatchObject({ tradeStatus: 'TRADE_CLOSED', refundFee: '6.00' });
  });

  it('ships an escrow trade (formica.trade.ship) in both protocols', async () => {
    const no = outTradeNo('escrow');
    const paid = await exec('alipay.trade.pay', {
      outTradeNo: no,
      totalAmount: '50.00',
      subject: 'Teapot',
      authCode: await paycode(),
      productCode: 'ESCROW_TRADE_PAY',
    });
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'WAIT_SELLER_SEND_GOODS' });
    const bad = await exec('formica.trade.ship', { outTradeNo: no, logisticsType: 'CAMEL' });
    expect(bad).toMatchObject({ code: '40002' });
    const shipped = await curl('/v3/formica/trade/ship', { out_trade_no: no, logistics_type: 'EXPRESS', waybill_no: 'SF123' });
    expect(shipped).toMatchObject({ trade_status: 'WAIT_BUYER_CONFIRM_GOODS' });
    expect(await exec('formica.trade.ship', { outTradeNo: no, logisticsType: 'EXPRESS' })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_STATUS_ERROR' });
  });

  it("refuses tampered signatures and other merchants' keys", async () => {
    const params = signV2Params(
      {
        app_id: appId,
        method: 'alipay.trade.query',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: formatChinaTime(clock.now()),
        version: '1.0',
        biz_content: JSON.stringify({ out_trade_no: 'a' }),
      },
      merchantKeys.privateKey,
    );
    const tampered = { ...params, biz_content: JSON.stringify({ out_trade_no: 'b' }) };
    const v2 = await send(`${server.url}/gateway.do`, undefined, 'POST', tampered);
    expect(v2.body.alipay_trade_query_response).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
    const foreign = new AlipaySdk({
      appId,
      privateKey: stranger.privateKey,
      alipayPublicKey: platformPublicKey,
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
    });
    const refused = await rejection(foreign.curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'a' } }));
    expect(refused).toMatchObject({ code: 'isv.invalid-signature', responseHttpStatus: 401 });
    // Key rotation: the old key stops working at once, the new one works.
    const rotated = await server.call('POST', `/v1/admin/merchants/${merchantId}/keys`, { public_key: stranger.publicKey });
    expect(rotated.status).toBe(200);
    expect(await foreign.exec('alipay.trade.query', { bizContent: { outTradeNo: 'never' } })).toMatchObject({ code: '40004', subCode: 'ACQ.TRADE_NOT_EXIST' });
    expect(await exec('alipay.trade.query', { outTradeNo: 'never' })).toMatchObject({ code: '40002', subCode: 'isv.invalid-signature' });
    expect((await server.call('POST', `/v1/admin/merchants/${merchantId}/keys`, { public_key: merchantKeys.publicKey })).status).toBe(200);
    expect((await server.call('POST', '/v1/admin/merchants/mch_nobody/keys', { public_key: merchantKeys.publicKey })).status).toBe(404);
  });

  /** A merchant route signed the way the SDK signs version 3 calls, at the server's time. */
  function signedGet(route: string, keyPem = merchantKeys.privateKey, method = 'GET') {
    const authorization = signV3Request(
      { appId, nonce: `n-${++seq}`, timestampMs: clock.now() },
      { httpMethod: method, pathWithQuery: route, body: '' },
      keyPem,
    );
    return fetch(`${server.url}${route}`, { method, headers: { authorization } });
  }

  it("serves the closed day's bill as CSV whose totals equal the settlement account's ledger movement", async () => {
    const date = formatChinaTime(firstDayMs).slice(0, 10);
    expect((await signedGet(`/v1/merchant/bills/${date}`)).status).toBe(409);
    // The day closes at the next CST midnight.
    const dayStart = Date.parse(`${date}T00:00:00+08:00`);
    clock.set(dayStart + 24 * 3600 * 1000 + 60_000);
    expect((await signedGet(`/v1/merchant/bills/${date}`, stranger.privateKey)).status).toBe(401);
    expect((await signedGet('/v1/merchant/bills/2026-02-30')).status).toBe(400);
    const response = await signedGet(`/v1/merchant/bills/${date}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const csv = await response.text();
    const rows = csv
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    const total = rows.find((r) => r[0] === 'total');
    expect(total).toBeDefined();
    const netMinor = parseAmount(total?.[4] ?? '', 'CNY').minor;

    const fromNs = BigInt(dayStart) * 1_000_000n;
    const toNs = fromNs + 24n * 3600n * 1_000_000_000n;
    const account = `mch_settle_${merchantId}`;
    const page = await server.app.store.listAccountTransfers(account, { limit: 10_000 });
    let movement = 0n;
    for (const t of page.transfers) {
      if (t.timestamp < fromNs || t.timestamp >= toNs) continue;
      if (t.flags & (TransferFlag.pending | TransferFlag.void_pending_transfer)) continue;
      movement += t.creditAccountId === account ? t.amount : -t.amount;
    }
    expect(movement).not.toBe(0n);
    expect(netMinor).toBe(movement);
    expect(rows.filter((r) => r[0] === 'trade').length).toBeGreaterThan(3);
    expect(rows.filter((r) => r[0] === 'refund').length).toBeGreaterThan(1);
  });

  it('lists notifications that failed every retry, and resends one', async () => {
    // The closed-day test moved the clock to the next CST day: past a session's 12 idle hours when
    // the suite starts early in the CST day, so the buyer logs in again.
    buyer.token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: buyer.phone, password: 'correct horse' })).body.token;
    // A trade whose notify_url answers "fail": 8 sends over about 25 hours, then failed.
    const no = outTradeNo('broken');
    // The clock has moved past the SDK's own time, so this call is signed at the server's time.
    const body = JSON.stringify({ out_trade_no: no, total_amount: '2.00', subject: 'x', auth_code: await paycode(), notify_url: `${notify.url}/broken` });
    const auth = signV3Request(
      { appId, nonce: `pay2-${no}`, timestampMs: clock.now() },
      { httpMethod: 'POST', pathWithQuery: '/v3/alipay/trade/pay', body },
      merchantKeys.privateKey,
    );
    const paid = await fetch(`${server.url}/v3/alipay/trade/pay`, {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body,
    });
    expect(paid.status).toBe(200);
    for (let i = 0; i < 10; i += 1) {
      await runNotificationJobs();
      clock.advance(16 * 3600 * 1000);
    }
    expect(notify.received.filter((n) => n.path === '/broken').length).toBe(8);
    const failed = await signedGet('/v1/merchant/notifications/failed');
    expect(failed.status).toBe(200);
    const list = (await failed.json()) as { notifications: Array<{ notify_id: string; fields: Record<string, string> }> };
    const mine = list.notifications.find((n) => n.fields.out_trade_no === no);
    expect(mine).toMatchObject({ status: 'failed', attempts: 8, notify_url: `${notify.url}/broken` });
    const resent = await signedGet(`/v1/merchant/notifications/${mine?.notify_id}/resend`, merchantKeys.privateKey, 'POST');
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ notify_id: mine?.notify_id });
    await runNotificationJobs();
    expect(notify.received.filter((n) => n.path === '/broken').length).toBe(9);
    expect((await signedGet('/v1/merchant/notifications/nope/resend', merchantKeys.privateKey, 'POST')).status).toBe(404);
  });

  it('lets a merchant rotate its own key, signing with the current one', async () => {
    const signedPost = (body: string, keyPem: string) => {
      const route = '/v1/merchant/keys';
      const authorization = signV3Request({ appId, nonce: `n-${++seq}`, timestampMs: clock.now() }, { httpMethod: 'POST', pathWithQuery: route, body }, keyPem);
      return fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
    };
    const toStranger = JSON.stringify({ public_key: stranger.publicKey });
    expect((await signedPost(toStranger, stranger.privateKey)).status).toBe(401);
    expect((await signedPost('{"public_key": "garbage"}', merchantKeys.privateKey)).status).toBe(400);
    expect((await signedPost(toStranger, merchantKeys.privateKey)).status).toBe(200);
    expect((await signedGet('/v1/merchant/notifications/failed')).status).toBe(401);
    expect((await signedGet('/v1/merchant/notifications/failed', stranger.privateKey)).status).toBe(200);
    const back = JSON.stringify({ public_key: merchantKeys.publicKey });
    expect((await signedPost(back, stranger.privateKey)).status).toBe(200);
  });

  it('leaves a ledger that verifies clean', async () => {
    const report = await verifyStore(server.app.store);
    expect(report.problems).toEqual([]);
  });
});
