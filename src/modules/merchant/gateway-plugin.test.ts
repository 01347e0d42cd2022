// The merchant API end to end: the official alipay-sdk, unchanged, talks to the gateway plugin over
// real HTTP with only its gateway/endpoint, app id and keys pointed at Formica.
import { AlipayRequestError, AlipaySdk } from 'alipay-sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { gatewayPlugin, type TradeApiHandlers } from './gateway-plugin.ts';
import { businessFailure, TRADE_SUB_CODES } from './protocol/errors.ts';
import { MemoryNonceStore } from './protocol/nonce-store.ts';
import { formatChinaTime } from './protocol/china-time.ts';
import { signV2Params } from './protocol/v2-request.ts';
import { signV3Request } from './protocol/v3-auth.ts';
import { rsaKeyPair } from './test-keys.ts';

// The SDK writes version 2 timestamps in the process's local time; merchants run it in CST.
process.env.TZ = 'Asia/Shanghai';

const APP_ID = '2026000000000001';
const merchant = rsaKeyPair();
const stranger = rsaKeyPair();
const platform = rsaKeyPair();

const calls: Array<{ appId: string; biz: Record<string, unknown>; method: string; notifyUrl?: string }> = [];

// Trivial stand-ins for the trade service: the seam, not the business.
const handlers: TradeApiHandlers = {
  'alipay.trade.query': async (appId, biz, ctx) => {
    calls.push({ appId, biz, method: ctx.method, notifyUrl: ctx.notifyUrl });
    return { ok: true, body: { out_trade_no: biz.out_trade_no, trade_no: 'trd_1', trade_status: 'TRADE_SUCCESS', total_amount: '9.99' } };
  },
  'alipay.trade.refund': async () => ({ ok: false, ...businessFailure(TRADE_SUB_CODES.TRADE_NOT_EXIST) }),
  'alipay.trade.close': async () => {
    throw new Error('boom');
  },
};

let app: FastifyInstance;
let origin = '';
// A fresh ManualClock per test, read through one stable Clock: a clock never goes back, but each
// test starts at the wall-clock time the SDK stamps its requests with.
let clock = new ManualClock(Date.now());
const currentClock = { now: () => clock.now() };
const captured: Array<{ url: string; headers: Record<string, string>; body: string }> = [];

function client(overrides: { appId?: string; privateKey?: string } = {}): AlipaySdk {
  return new AlipaySdk({
    appId: overrides.appId ?? APP_ID,
    privateKey: overrides.privateKey ?? merchant.privateKey,
    alipayPublicKey: platform.publicKey,
    gateway: `${origin}/gateway.do`,
    endpoint: origin,
  });
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read loosely in assertions
async function json(response: Response): Promise<any> {
  return response.json();
}

async function v3Rejection(promise: Promise<unknown>): Promise<AlipayRequestError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AlipayRequestError);
  return error as AlipayRequestError;
}

beforeAll(async () => {
  app = Fastify();
  app.addHook('onRequest', async (request) => {
    captured.push({ url: request.url, headers: request.headers as Record<string, string>, body: '' });
  });
  app.addHook('preHandler', async (request) => {
    const last = captured.at(-1);
    if (last && typeof request.body === 'string') last.body = request.body;
  });
  const apps = { findPublicKey: async (appId: string) => (appId === APP_ID ? merchant.publicKey : undefined) };
  await app.register(gatewayPlugin, { apps, handlers, platformPrivateKeyPem: platform.privateKey, clock: currentClock, nonces: new MemoryNonceStore() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => {
  calls.length = 0;
  clock = new ManualClock(Date.now());
});

describe('version 2: exec against /gateway.do', () => {
  it('answers a signed alipay_trade_query_response', async () => {
    const result = await client().exec(
      'alipay.trade.query',
      { bizContent: { outTradeNo: 'T1' }, notifyUrl: 'https://m.example/notify' },
      { validateSign: true },
    );
    expect(result).toMatchObject({ code: '10000', msg: 'Success', outTradeNo: 'T1', tradeStatus: 'TRADE_SUCCESS' });
    expect(calls).toEqual([{ appId: APP_ID, biz: { out_trade_no: 'T1' }, method: 'alipay.trade.query', notifyUrl: 'https://m.example/notify' }]);
  });

  it('answers business failures with 40004 and the trade sub_code, still signed', async () => {
    const result = await client().exec('alipay.trade.refund', { bizContent: { outTradeNo: 'T9' } }, { validateSign: true });
    expect(result).toMatchObject({ code: '40004', msg: 'Business Failed', subCode: 'ACQ.TRADE_NOT_EXIST' });
  });

  it('refuses a bad signature, an unknown app, a stale timestamp and an unknown method', async () => {
    const bizContent = { outTradeNo: 'T1' };
    const badSign = await client({ privateKey: stranger.privateKey }).exec('alipay.trade.query', { bizContent }, { validateSign: true });
    expect(badSign).toMatchObject({ code: '40002', msg: 'Invalid Arguments', subCode: 'isv.invalid-signature' });
    const unknownApp = await client({ appId: '2026999999999999' }).exec('alipay.trade.query', { bizContent }, { validateSign: true });
    expect(unknownApp).toMatchObject({ code: '40002', subCode: 'isv.invalid-app-id' });
    const unknownMethod = await client().exec('alipay.trade.nothing', { bizContent }, { validateSign: true });
    expect(unknownMethod).toMatchObject({ code: '40002', subCode: 'isv.invalid-method' });
    clock.advance(16 * 60 * 1000);
    const stale = await client().exec('alipay.trade.query', { bizContent }, { validateSign: true });
    expect(stale).toMatchObject({ code: '40002', subCode: 'isv.invalid-timestamp' });
    expect(calls).toEqual([]);
  });

  it('answers a handler crash with 20000, not HTTP 500', async () => {
    const result = await client().exec('alipay.trade.close', { bizContent: { outTradeNo: 'T1' } }, { validateSign: true });
    expect(result).toMatchObject({ code: '20000', subCode: 'isp.unknow-error' });
  });

  it('accepts the public parameters as a JSON body too', async () => {
    const params = {
      app_id: APP_ID,
      method: 'alipay.trade.query',
      charset: 'utf-8',
      sign_type: 'RSA2',
      timestamp: formatChinaTime(clock.now()),
      version: '1.0',
      biz_content: JSON.stringify({ out_trade_no: 'J1' }),
    };
    const body = JSON.stringify(signV2Params(params, merchant.privateKey));
    const response = await fetch(`${origin}/gateway.do`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect((await json(response)).alipay_trade_query_response).toMatchObject({ code: '10000', out_trade_no: 'J1' });
  });

  it('accepts what pageExecute produces, as a link and as a posted form', async () => {
    const link = client().pageExecute('alipay.trade.query', 'GET', { bizContent: { outTradeNo: 'P1' } });
    const viaGet = await json(await fetch(link));
    expect(viaGet.alipay_trade_query_response).toMatchObject({ code: '10000', out_trade_no: 'P1' });

    const form = client().pageExecute('alipay.trade.query', 'POST', { bizContent: { outTradeNo: 'P2' } });
    const action = /action="([^"]+)"/.exec(form)?.[1] ?? '';
    const fields = new URLSearchParams();
    for (const [, name, value] of form.matchAll(/name="([^"]+)" value="([^"]*)"/g)) fields.set(name, value.replaceAll('&quot;', '"'));
    const viaPost = await json(await fetch(action, { method: 'POST', body: fields }));
    expect(viaPost.alipay_trade_query_response).toMatchObject({ code: '10000', out_trade_no: 'P2' });
  });
});

describe('version 3: curl against /v3/alipay/...', () => {
  it('answers POST /v3/alipay/trade/query with a body the SDK verifies', async () => {
    const result = await client().curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'T3' } });
    expect(result.responseHttpStatus).toBe(200);
    expect(result.data).toMatchObject({ out_trade_no: 'T3', trade_status: 'TRADE_SUCCESS' });
    expect(calls[0]).toMatchObject({ appId: APP_ID, method: 'alipay.trade.query' });
  });

  it('takes GET parameters from the query string', async () => {
    const result = await client().curl('GET', '/v3/alipay/trade/query', { query: { out_trade_no: 'T4' } });
    expect(result.data).toMatchObject({ out_trade_no: 'T4' });
  });

  it('answers business failures with HTTP 4xx and the sub_code as code', async () => {
    const error = await v3Rejection(client().curl('POST', '/v3/alipay/trade/refund', { body: { out_trade_no: 'T9' } }));
    expect(error).toMatchObject({ code: 'ACQ.TRADE_NOT_EXIST', responseHttpStatus: 404 });
  });

  it('refuses a bad signature, an unknown app, a stale timestamp and an unknown path', async () => {
    const body = { out_trade_no: 'T1' };
    const badSign = await v3Rejection(client({ privateKey: stranger.privateKey }).curl('POST', '/v3/alipay/trade/query', { body }));
    expect(badSign).toMatchObject({ code: 'isv.invalid-signature', responseHttpStatus: 401 });
    const unknownApp = await v3Rejection(client({ appId: 'nobody' }).curl('POST', '/v3/alipay/trade/query', { body }));
    expect(unknownApp).toMatchObject({ code: 'isv.invalid-app-id', responseHttpStatus: 401 });
    const unknownPath = await v3Rejection(client().curl('POST', '/v3/alipay/trade/nothing', { body }));
    expect(unknownPath).toMatchObject({ code: 'isv.invalid-method', responseHttpStatus: 404 });
    clock.advance(16 * 60 * 1000);
    const stale = await v3Rejection(client().curl('POST', '/v3/alipay/trade/query', { body }));
    expect(stale).toMatchObject({ code: 'isv.invalid-timestamp', responseHttpStatus: 401 });
    expect(calls).toEqual([]);
  });

  it('refuses a replayed nonce', async () => {
    await client().curl('POST', '/v3/alipay/trade/query', { body: { out_trade_no: 'T5' } });
    const original = captured.filter((c) => c.url === '/v3/alipay/trade/query').at(-1);
    const replay = await fetch(`${origin}/v3/alipay/trade/query`, {
      method: 'POST',
      headers: { authorization: original?.headers.authorization ?? '', 'content-type': 'application/json' },
      body: original?.body,
    });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ code: 'isv.invalid-nonce', message: 'nonce has already been used' });
    expect(calls).toHaveLength(1);
  });
});

describe('bad input never gets a 500', () => {
  it('answers garbage in each protocol shape', async () => {
    const noParams = await fetch(`${origin}/gateway.do`, { method: 'POST', body: '%%%' });
    expect(noParams.status).toBe(200);
    expect((await json(noParams)).error_response).toMatchObject({ code: '40001', sub_code: 'isv.missing-method' });

    const badJson = await fetch(`${origin}/gateway.do?method=alipay.trade.query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"app_id":',
    });
    expect((await json(badJson)).alipay_trade_query_response).toMatchObject({ code: '40002' });

    const noAuth = await fetch(`${origin}/v3/alipay/trade/query`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
    expect(await noAuth.json()).toMatchObject({ code: 'isv.missing-signature' });

    const body = 'not json';
    const authorization = signV3Request(
      { appId: APP_ID, nonce: 'garbage-1', timestampMs: clock.now() },
      { httpMethod: 'POST', pathWithQuery: '/v3/alipay/trade/query', body },
      merchant.privateKey,
    );
    const notJson = await fetch(`${origin}/v3/alipay/trade/query`, { method: 'POST', headers: { authorization }, body });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'isv.invalid-parameter' });

    const huge = await fetch(`${origin}/v3/alipay/trade/query`, { method: 'POST', body: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(400);
    const hugeV2 = await fetch(`${origin}/gateway.do`, { method: 'POST', body: 'x'.repeat(2_000_000) });
    expect(hugeV2.status).toBe(200);
    expect((await json(hugeV2)).error_response).toMatchObject({ code: '40002' });

    const token = await fetch(`${origin}/v3/alipay/trade/query`, {
      method: 'POST',
      headers: { authorization: 'ALIPAY-SHA256withRSA app_id=x,nonce=y,timestamp=1,sign=zz', 'alipay-app-auth-token': 't' },
      body: '{}',
    });
    expect(token.status).toBe(401);
  });
});
