// The sandbox over HTTP against the real server: its routes are absent outside sandbox mode; the
// clock moves only forward and runs every job due on the way (an unpaid trade created through the
// official alipay-sdk closes after 15 minutes, a refused notification is retried on schedule);
// faults on demand (a bank decline on a top-up); the inspector explains a bad signature.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

// The SDK writes version 2 timestamps in the process's local time; merchants run it in CST.
process.env.TZ = 'Asia/Shanghai';

const MINUTE_S = 60;

/** A merchant's notify endpoint that refuses the first delivery of each notification, then accepts. */
async function startGrudgingReceiver() {
  const received: Record<string, string>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const fields = Object.fromEntries(new URLSearchParams(body));
      const seenBefore = received.some((r) => r.notify_id === fields.notify_id);
      received.push(fields);
      res.end(seenBefore ? 'success' : 'fail');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('outside sandbox mode', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('every sandbox route answers 404, even to the operator', async () => {
    expect((await server.call('GET', '/v1/sandbox/clock')).status).toBe(404);
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 60 })).status).toBe(404);
    expect((await server.call('GET', '/v1/sandbox/faults')).status).toBe(404);
    expect((await server.call('POST', '/v1/sandbox/faults', { target: 'bank', kind: 'decline', count: 1 })).status).toBe(404);
    expect((await fetch(`${server.url}/sandbox/`)).status).toBe(404);
    expect(server.app.sandbox).toBeUndefined();
  });
});

describe.each(storesUnderTest())('the sandbox over HTTP (%s)', (store) => {
  const merchantKeys = rsaKeyPair();
  let server: TestServer;
  let bank: RunningBankSimulator;
  let receiver: Awaited<ReturnType<typeof startGrudgingReceiver>>;
  let sdk: AlipaySdk;
  let appId = '';
  let platformPublicKey = '';
  let seq = 0;

  const now = async () => Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now);
  const advance = (seconds: number) => server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds });
  const outTradeNo = (tag: string) => `${store}-${tag}-${Date.now()}-${++seq}`;
  const exec = (client: AlipaySdk, method: string, bizContent: Record<string, unknown>, notifyUrl?: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: response fields are read loosely
    client.exec(method, notifyUrl ? { bizContent, notifyUrl } : { bizContent }) as Promise<any>;
  const inspector = async (query: string) => (await fetch(`${server.url}/sandbox/${query}`)).text();

  async function newUser(): Promise<{ id: string; phone: string; token: string }> {
    const phone = `135${String(Date.now() % 100000).padStart(5, '0')}${String(++seq % 1000).padStart(3, '0')}`;
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Sandbox Buyer' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    return { id: reg.body.user_id, phone, token: login.body.token };
  }

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, sandbox: true, bankUrl: bank.url, bankTimeoutMs: 2_000 });
    receiver = await startGrudgingReceiver();
    const created = await server.call('POST', '/v1/admin/merchants', { name: 'Sandbox Tea', public_key: merchantKeys.publicKey, fee_bps: 60 });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ({ app_id: appId, platform_public_key: platformPublicKey } = created.body);
    sdk = new AlipaySdk({
      appId,
      privateKey: merchantKeys.privateKey,
      alipayPublicKey: platformPublicKey,
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
    });
  });

  afterAll(async () => {
    await server?.close();
    await bank?.close();
    await receiver?.close();
  });

  it('reads the clock behind the operator token, moves it forward only, and refuses bad moves', async () => {
    expect((await send(`${server.url}/v1/sandbox/clock`, undefined, 'GET')).status).toBe(401);
    const start = await now();
    expect(Math.abs(start - Date.now())).toBeLessThan(60_000);
    const moved = await advance(90);
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(Date.parse(moved.body.now)).toBe(start + 90_000);
    const later = new Date(start + 3_600_000).toISOString();
    expect((await server.call('POST', '/v1/sandbox/clock', { now: later })).body).toEqual({ now: later });
    const back = await server.call('POST', '/v1/sandbox/clock', { now: new Date(start).toISOString() });
    expect([back.status, back.body.code]).toEqual([409, 'clock_backwards']);
    expect(await now()).toBe(start + 3_600_000);
    for (const bad of [
      { advance_seconds: 0 },
      { advance_seconds: -5 },
      { advance_seconds: 1.5 },
      { now: 'tomorrow' },
      {},
      { advance_seconds: 1, now: later },
    ]) {
      expect((await server.call('POST', '/v1/sandbox/clock', bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('closes an unpaid trade created with alipay-sdk once the clock passes its 15 minutes, and notifies the close', async () => {
    const no = outTradeNo('unpaid');
    const created = await exec(sdk, 'alipay.trade.precreate', { outTradeNo: no, totalAmount: '9.90', subject: 'Jasmine' }, receiver.url);
    expect(created).toMatchObject({ code: '10000', outTradeNo: no });
    expect((await advance(14 * MINUTE_S)).status).toBe(200);
    expect(await exec(sdk, 'alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '10000', tradeStatus: 'WAIT_BUYER_PAY' });
    await advance(MINUTE_S);
    expect(await exec(sdk, 'alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '10000', tradeStatus: 'TRADE_CLOSED' });
    // The close was notified within the same advance, after the close itself.
    expect(receiver.received.filter((r) => r.out_trade_no === no).map((r) => r.trade_status)).toEqual(['TRADE_CLOSED']);
  });

  it('retries a refused notification when the clock reaches the retry time, and the inspector shows both attempts', async () => {
    const buyer = await newUser();
    await server.call('POST', `/v1/admin/users/${buyer.id}/verifications`, { level: 'II', reference: 'desk' });
    await server.call('POST', '/v1/admin/adjustments', {
      user_id: buyer.id,
      amount: '100.00',
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funds',
      request_id: `fund-${buyer.phone}`,
    });
    const authCode = (await send(`${server.url}/v1/wallet/paycode`, buyer.token, 'GET')).body.auth_code;
    const no = outTradeNo('paid');
    const paid = await exec(sdk, 'alipay.trade.pay', { outTradeNo: no, totalAmount: '12.00', subject: 'Oolong', authCode }, receiver.url);
    expect(paid).toMatchObject({ code: '10000', tradeStatus: 'TRADE_SUCCESS' });
    const deliveries = () => receiver.received.filter((r) => r.out_trade_no === no);

    await advance(1);
    expect(deliveries()).toHaveLength(1);
    await advance(3 * MINUTE_S);
    expect(deliveries()).toHaveLength(1);
    // The first retry comes 4 minutes after the refused send.
    await advance(MINUTE_S);
    expect(deliveries().map((r) => r.trade_status)).toEqual(['TRADE_SUCCESS', 'TRADE_SUCCESS']);
    const [note] = await server.app.trades.notifications.forTrade(paid.tradeNo);
    expect(note).toMatchObject({ status: 'delivered', attempts: 2 });

    const page = await inspector(`?trade=${no}`);
    expect(page).toContain(note.notifyId);
    expect(page).toContain('delivered');
    expect(page.match(/<td class="failed">fail<\/td>/g)).toHaveLength(1);
    expect(page.match(/<td class="verified">success<\/td>/g)).toHaveLength(1);
    expect(page).toContain('alipay.trade.pay');
    expect(page).not.toContain('Jasmine');
  });

  it('loses the answer of the next notification on demand, so the merchant gets it again at the first retry', async () => {
    const no = outTradeNo('late');
    await exec(sdk, 'alipay.trade.precreate', { outTradeNo: no, totalAmount: '5.00', subject: 'Green' }, receiver.url);
    expect((await server.call('POST', '/v1/sandbox/faults', { target: 'notifications', kind: 'late_answer', count: 1 })).status).toBe(201);
    // The close at 15 minutes is sent once: delivered (refused, as this receiver does first), answer lost.
    await advance(15 * MINUTE_S);
    const deliveries = () => receiver.received.filter((r) => r.out_trade_no === no);
    expect(deliveries()).toHaveLength(1);
    expect((await server.call('GET', '/v1/sandbox/faults')).body).toEqual({ faults: [] });
    await advance(4 * MINUTE_S);
    expect(deliveries()).toHaveLength(2);
    const page = await inspector(`?trade=${no}`);
    expect(page).toContain('no answer: the answer came too late (sandbox fault: late_answer)');
    expect(page).toContain('delivered');
  });

  it('makes the next top-up meet a bank decline on demand, then lets the bank answer again', async () => {
    const user = await newUser();
    const started = await send(`${server.url}/v1/cards`, user.token, 'POST', {
      bank: 'ICBC',
      card_no: CARD_A,
      name: 'Li Lei',
      id_no: '110101199001011234',
      phone: user.phone,
    });
    const sms = await send(`${bank.url}/sim/sms?phone=${user.phone}`, undefined, 'GET');
    const cardId = started.body.card_id;
    expect((await send(`${server.url}/v1/cards/${cardId}/confirm`, user.token, 'POST', { sms_code: sms.body.messages.at(-1).code })).status).toBe(200);
    const topup = (requestId: string) =>
      send(`${server.url}/v1/wallet/topups`, user.token, 'POST', { card_id: cardId, amount: '30.00', currency: 'CNY', request_id: requestId });

    expect((await send(`${server.url}/v1/sandbox/faults`, undefined, 'POST', { target: 'bank', kind: 'decline', count: 1 })).status).toBe(401);
    const ordered = await server.call('POST', '/v1/sandbox/faults', { target: 'bank', kind: 'decline', count: 1 });
    expect(ordered.status, JSON.stringify(ordered.body)).toBe(201);
    expect((await server.call('GET', '/v1/sandbox/faults')).body).toEqual({ faults: [{ target: 'bank', kind: 'decline', remaining: 1 }] });
    expect((await server.call('POST', '/v1/sandbox/faults', { target: 'bank', kind: 'explode', count: 1 })).status).toBe(400);

    const declined = await topup(`${store}-declined`);
    expect(declined.body, JSON.stringify(declined.body)).toMatchObject({ status: 'failed' });
    expect((await send(`${server.url}/v1/wallet`, user.token, 'GET')).body.balance).toBe('0.00');
    expect((await server.call('GET', '/v1/sandbox/faults')).body).toEqual({ faults: [] });
    expect((await topup(`${store}-fine`)).body).toMatchObject({ status: 'succeeded', balance: '30.00' });
  });

  it('shows in the inspector why a signature failed: another key, or a key of another size', async () => {
    const stranger = new AlipaySdk({
      appId,
      privateKey: rsaKeyPair().privateKey,
      alipayPublicKey: platformPublicKey,
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
    });
    const no = outTradeNo('badsign');
    expect(await exec(stranger, 'alipay.trade.query', { outTradeNo: no })).toMatchObject({ code: '40002', subCode: 'isv.invalid-signature' });
    const page = await inspector(`?app_id=${appId}&trade=${no}`);
    expect(page).toContain('class="failed"');
    expect(page).toContain(`either the private key is not the pair of the public key registered for app ${appId}`);
    expect(page).toMatch(/Formica verified this string: app_id=\d+&#38;biz_content=/);

    const small = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const smallKeyed = new AlipaySdk({
      appId,
      privateKey: small.privateKey,
      alipayPublicKey: platformPublicKey,
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
    });
    const other = outTradeNo('smallkey');
    await exec(smallKeyed, 'alipay.trade.query', { outTradeNo: other });
    expect(await inspector(`?trade=${other}`)).toContain(`the signature is 128 bytes, but app ${appId}&#39;s 2048-bit key makes 256-byte signatures`);

    // A good request verifies; the filter keeps the two apart.
    const good = outTradeNo('goodsign');
    await exec(sdk, 'alipay.trade.query', { outTradeNo: good });
    const goodPage = await inspector(`?trade=${good}`);
    expect(goodPage).toContain(`verified: verified with the public key of app ${appId}`);
    expect(goodPage).not.toContain(no);
  });
});
