// The merchant API methods added for phones, apps and bills, each driven by the official alipay-sdk
// unchanged, in sandbox mode (the SDK signs with the real time; the sandbox clock moves the jobs):
// alipay.trade.wap.pay (pageExecute) and alipay.trade.app.pay (sdkExecute's order string) hand the
// buyer to the hosted checkout; notifications carry gmt_create, seller_id, subject, passback_params,
// charset and version and still verify with checkNotifySign; bill.downloadurl.query gives a signed,
// expiring link to a closed day's bill. SQLite always; PostgreSQL when DATABASE_URL is set.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

/** Answers `success`, except on /refusing while `accepting.now` is false. */
async function startReceiver() {
  const received: Record<string, string>[] = [];
  const accepting = { now: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push(Object.fromEntries(new URLSearchParams(body)));
      res.end(req.url?.startsWith('/refusing') && !accepting.now ? 'fail' : 'success');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, accepting, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe.each(storesUnderTest())('merchant API gaps through alipay-sdk (%s)', (store) => {
  let server: TestServer;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let sdk: AlipaySdk;
  let buyer: TestUser;
  let owner: TestUser;
  let merchantId = '';
  let seq = 0;

  const outTradeNo = (tag: string) => `${store}-${tag}-${Date.now()}-${++seq}`;
  const advance = (seconds: number) => server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds });
  const sandboxNow = async () => Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now);
  const exec = (method: string, bizContent: Record<string, unknown>, notifyUrl?: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: response fields are read loosely
    sdk.exec(method, notifyUrl ? { bizContent, notifyUrl } : { bizContent }) as Promise<any>;
  /** Sessions lapse while the clock jumps hours: log in again. */
  const relogin = async (user: TestUser): Promise<TestUser> => ({
    ...user,
    token: (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' })).body.token,
  });
  const paycode = async () => (await send(`${server.url}/v1/wallet/paycode`, buyer.token, 'GET')).body.auth_code;

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
    receiver = await startReceiver();
    [buyer, owner] = await Promise.all([newUser(server, 'Buyer'), newUser(server, 'Owner')]);
    await fund(server, buyer, '500.00');
    ({ merchantId, sdk } = await registerMerchantApp(server, { name: 'Phone Shop', ownerPhone: owner.phone }));
  });

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it('alipay.trade.wap.pay through pageExecute sends the phone browser to the hosted checkout', async () => {
    const no = outTradeNo('wap');
    const link = sdk.pageExecute('alipay.trade.wap.pay', 'GET', {
      bizContent: { outTradeNo: no, totalAmount: '6.00', subject: 'Case', productCode: 'QUICK_WAP_WAY' },
    });
    const response = await fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = response.headers.get('location') ?? '';
    expect(location).toMatch(/^\/checkout\/trd_/);
    expect((await fetch(server.url + location)).status).toBe(200);
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY', totalAmount: '6.00' });
  });

  it("alipay.trade.app.pay: the app opens sdkExecute's order string and lands on the hosted checkout", async () => {
    const no = outTradeNo('app');
    const orderString = sdk.sdkExecute('alipay.trade.app.pay', {
      bizContent: { outTradeNo: no, totalAmount: '7.00', subject: 'Charger', productCode: 'QUICK_MSECURITY_PAY' },
    });
    expect(orderString).toContain('method=alipay.trade.app.pay');
    const response = await fetch(`${server.url}/gateway.do?${orderString}`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/^\/checkout\/trd_/);
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY' });
    // The order string is signed: changing the amount breaks it.
    const tampered = orderString.replace(/total_amount%22%3A%227\.00/, 'total_amount%22%3A%220.01');
    expect(tampered).not.toBe(orderString);
    const refused = await fetch(`${server.url}/gateway.do?${tampered}`, { redirect: 'manual' });
    expect(refused.status).toBe(200);
    expect(await refused.text()).toContain('isv.invalid-signature');
  });

  it('notifies gmt_create, seller_id, subject, passback_params, charset and version, and checkNotifySign accepts them', async () => {
    const no = outTradeNo('fields');
    const paid = await exec(
      'alipay.trade.pay',
      { outTradeNo: no, totalAmount: '9.00', subject: 'Earphones', authCode: await paycode(), passbackParams: 'order=42&src=app' },
      receiver.url,
    );
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
    await advance(1);
    const note = receiver.received.find((r) => r.out_trade_no === no);
    expect(note).toMatchObject({
      notify_type: 'trade_status_sync',
      trade_status: 'TRADE_SUCCESS',
      seller_id: merchantId,
      subject: 'Earphones',
      passback_params: 'order=42&src=app',
      charset: 'utf-8',
      version: '1.0',
      buyer_id: buyer.id,
      total_amount: '9.00',
      buyer_pay_amount: '9.00',
    });
    expect(note?.gmt_create).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(sdk.checkNotifySign(note ?? {})).toBe(true);
    expect(sdk.checkNotifySign({ ...note, passback_params: 'order=43' })).toBe(false);
  });

  it('gives up on a notification after 8 refused sends in about 25 hours; the console lists it and sends it again', async () => {
    const no = outTradeNo('refused');
    await exec('alipay.trade.precreate', { outTradeNo: no, totalAmount: '3.00', subject: 'Sticker' }, receiver.url.replace('/notify', '/refusing'));
    await advance(15 * 60 + 26 * 3_600);
    expect(receiver.received.filter((r) => r.out_trade_no === no).map((r) => r.trade_status)).toEqual(Array(8).fill('TRADE_CLOSED'));
    owner = await relogin(owner);
    const shop = (method: string, route: string) => send(`${server.url}/v1/merchant-console/merchants/${merchantId}${route}`, owner.token, method);
    const failed = (await shop('GET', '/notifications/failed')).body.notifications;
    expect(failed).toEqual([expect.objectContaining({ status: 'failed', attempts: 8, fields: expect.objectContaining({ out_trade_no: no }) })]);
    receiver.accepting.now = true;
    expect((await shop('POST', `/notifications/${failed[0].notify_id}/resend`)).body).toMatchObject({ notify_id: failed[0].notify_id });
    await advance(1);
    expect(receiver.received.filter((r) => r.out_trade_no === no)).toHaveLength(9);
    expect((await shop('GET', '/notifications/failed')).body.notifications).toEqual([]);
    expect((await shop('POST', '/notifications/ntf_none/resend')).status).toBe(404);
  });

  it('bill.downloadurl.query gives a signed, expiring link to a closed day; not before the day closes', async () => {
    buyer = await relogin(buyer);
    const no = outTradeNo('bill');
    const paid = await exec('alipay.trade.pay', { outTradeNo: no, totalAmount: '11.00', subject: 'Cable', authCode: await paycode() });
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
    const day = formatChinaTime(await sandboxNow()).slice(0, 10);
    expect(await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'trade', billDate: day })).toMatchObject({
      code: '40004',
      subCode: 'isp.bill_not_exist',
    });
    expect(await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'trade', billDate: '2026-02-30' })).toMatchObject({
      code: '40002',
      subCode: 'isv.invalid-parameter',
    });
    expect(await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'monthly', billDate: day })).toMatchObject({ code: '40002' });
    await advance(86_400);
    const answer = await exec('alipay.data.dataservice.bill.downloadurl.query', { billType: 'trade', billDate: day });
    expect(answer).toMatchObject({ code: '10000', billDownloadUrl: expect.stringContaining(`${server.url}/v1/merchant/bill-files?`) });
    const bill = await fetch(answer.billDownloadUrl);
    expect(bill.status).toBe(200);
    expect(bill.headers.get('content-type')).toContain('text/csv');
    expect(await bill.text()).toContain(paid.tradeNo);
    const forged = new URL(answer.billDownloadUrl);
    forged.searchParams.set('bill_date', '2020-01-01');
    expect((await fetch(forged)).status).toBe(401);
    // The link expires after 10 minutes.
    await advance(11 * 60);
    expect((await fetch(answer.billDownloadUrl)).status).toBe(401);
  });

  it('answers 10003 to an in-store payment above 1000.00, which the buyer confirms with the PIN; query and notification then see it paid', async () => {
    buyer = await relogin(buyer);
    await fund(server, buyer, '1500.00');
    expect((await send(`${server.url}/v1/me/payment-pin`, buyer.token, 'PUT', { payment_pin: '246810', password: 'correct horse' })).status).toBe(200);
    const no = outTradeNo('pin');
    const order = { outTradeNo: no, totalAmount: '1200.00', subject: 'Phone' };
    const waiting = await exec('alipay.trade.pay', { ...order, authCode: await paycode() }, receiver.url);
    expect(waiting).toMatchObject({ code: '10003', msg: 'Waiting for user to pay', tradeStatus: 'WAIT_BUYER_PAY', outTradeNo: no, totalAmount: '1200.00' });
    // The till asks again (its own retry): the same answer, and no second paycode is used.
    expect(await exec('alipay.trade.pay', { ...order, authCode: '289999999999999999' })).toMatchObject({ code: '10003', tradeNo: waiting.tradeNo });
    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY' });

    const confirm = (user: TestUser, pin: string) =>
      send(`${server.url}/v1/trades/${waiting.tradeNo}/confirm-payment`, user.token, 'POST', { payment_pin: pin });
    const stranger = await newUser(server, 'Stranger');
    expect((await confirm(stranger, '246810')).status).toBe(404);
    const withoutPin = await send(`${server.url}/v1/trades/${waiting.tradeNo}/pay`, buyer.token, 'POST', { request_id: 'no-pin' });
    expect([withoutPin.status, withoutPin.body.code]).toEqual([409, 'TRADE_STATUS_ERROR']);
    expect((await confirm(buyer, '111111')).body.code).toBe('payment_pin_wrong');
    const paid = await confirm(buyer, '246810');
    expect(paid.body, JSON.stringify(paid.body)).toMatchObject({ trade_status: 'TRADE_SUCCESS', total_amount: '1200.00' });
    expect((await confirm(buyer, '246810')).body.trade_status).toBe('TRADE_SUCCESS');

    expect(await exec('alipay.trade.query', { outTradeNo: no })).toMatchObject({
      code: '10000',
      tradeStatus: 'TRADE_SUCCESS',
      buyerLogonId: expect.stringContaining('****'),
    });
    await advance(1);
    const notes = receiver.received.filter((r) => r.out_trade_no === no);
    expect(notes.map((n) => n.trade_status)).toEqual(['TRADE_SUCCESS']);
    expect(sdk.checkNotifySign(notes[0])).toBe(true);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
