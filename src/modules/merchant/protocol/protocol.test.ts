// The protocol layer against the official SDK's own signing and checking code, without HTTP.
import { generateKeyPairSync } from 'node:crypto';
import { AlipaySdk } from 'alipay-sdk';
import { describe, expect, it } from 'vitest';
import { formatChinaTime, parseChinaTime } from './china-time.ts';
import { methodFromV3Path, v3PathFromMethod } from './methods.ts';
import { MemoryNonceStore } from './nonce-store.ts';
import { signNotification, verifyNotification } from './notify.ts';
import { normalizePublicKeyPem, signContent } from './rsa.ts';
import { checkV2PublicParams, signV2Params, verifyV2Signature } from './v2-request.ts';
import { buildV2ResponseBody, responseKey } from './v2-response.ts';
import { parseV3Authorization, signV3Request } from './v3-auth.ts';
import { v3Error } from './v3-response.ts';
import { businessFailure, invalidArgument, TRADE_SUB_CODES } from './errors.ts';

function keyPair() {
  return generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

const merchant = keyPair();
const platform = keyPair();
const sdk = new AlipaySdk({ appId: 'app_1', privateKey: merchant.privateKey, alipayPublicKey: platform.publicKey });

describe('signContent', () => {
  it('sorts keys, drops empty values and sign, keeps raw values', () => {
    const content = signContent({ b: '2', sign: 'x', a: 'x y&z', c: '', d: undefined, e: { k: 1 } });
    expect(content).toBe('a=x y&z&b=2&e={"k":1}');
  });
});

describe('China Standard Time', () => {
  it('round-trips and refuses impossible dates', () => {
    const ms = Date.UTC(2026, 0, 1, 0, 0, 0);
    expect(formatChinaTime(ms)).toBe('2026-01-01 08:00:00');
    expect(parseChinaTime('2026-01-01 08:00:00')).toBe(ms);
    expect(parseChinaTime('2026-02-31 08:00:00')).toBeUndefined();
    expect(parseChinaTime('2026-01-01T08:00:00')).toBeUndefined();
  });
});

describe('version 2 requests', () => {
  it('accepts the parameters of pageExecute (GET link and POST form)', () => {
    const link = sdk.pageExecute('alipay.trade.page.pay', 'GET', { bizContent: { outTradeNo: 'T1', totalAmount: '9.99' } });
    const params = Object.fromEntries(new URL(link).searchParams);
    expect(params.sign_type).toBe('RSA2');
    expect(verifyV2Signature(params, merchant.publicKey)).toBe(true);
    expect(verifyV2Signature({ ...params, biz_content: '{}' }, merchant.publicKey)).toBe(false);

    const form = sdk.pageExecute('alipay.trade.page.pay', 'POST', { bizContent: { outTradeNo: 'T2' }, notifyUrl: 'https://m.example/n' });
    const action = new URL(/action="([^"]+)"/.exec(form)?.[1] ?? '');
    const fields = Object.fromEntries(action.searchParams);
    for (const [, name, value] of form.matchAll(/name="([^"]+)" value="([^"]*)"/g)) fields[name] = value.replaceAll('&quot;', '"');
    expect(fields.notify_url).toBe('https://m.example/n');
    expect(verifyV2Signature(fields, merchant.publicKey)).toBe(true);
  });

  it('agrees with its own signer and reports missing public parameters first', () => {
    const signed = signV2Params({ app_id: 'a', method: 'alipay.trade.query', sign_type: 'RSA2', timestamp: '2026-01-01 08:00:00' }, merchant.privateKey);
    expect(verifyV2Signature(signed, merchant.publicKey)).toBe(true);
    expect(checkV2PublicParams({ ...signed, method: undefined })?.sub_code).toBe('isv.missing-method');
    expect(checkV2PublicParams({ ...signed, sign: '' })?.sub_code).toBe('isv.missing-signature');
    expect(checkV2PublicParams({ ...signed, sign_type: 'RSA' })?.sub_code).toBe('isv.invalid-signature-type');
    expect(checkV2PublicParams(signed)).toBeUndefined();
  });

  it('builds a response body the SDK verifies', () => {
    const text = buildV2ResponseBody('alipay.trade.query', { code: '10000', msg: 'Success', note: 'a}"sign"' }, platform.privateKey);
    const parsed = JSON.parse(text);
    expect(() => sdk.checkResponseSign(text, 'alipay_trade_query_response', parsed.sign, 't')).not.toThrow();
    expect(responseKey('not a method')).toBe('error_response');
  });
});

describe('version 3 requests', () => {
  it('parses the header the SDK format produces', () => {
    const header = signV3Request(
      { appId: 'app_1', nonce: 'n-1', timestampMs: 1_700_000_000_000 },
      { httpMethod: 'POST', pathWithQuery: '/v3/alipay/trade/query', body: '{}' },
      merchant.privateKey,
    );
    const parsed = parseV3Authorization(header);
    expect(parsed.ok && parsed.auth).toMatchObject({ appId: 'app_1', nonce: 'n-1', timestamp: '1700000000000' });
    expect(parseV3Authorization('Bearer x').ok).toBe(false);
  });

  it('maps paths and methods both ways', () => {
    expect(methodFromV3Path('/v3/alipay/trade/fastpay/refund/query?x=1')).toBe('alipay.trade.fastpay.refund.query');
    expect(v3PathFromMethod('formica.trade.ship')).toBe('/v3/formica/trade/ship');
    expect(methodFromV3Path('/v3/alipay/../x')).toBeUndefined();
  });

  it('shapes failures as HTTP status plus code and message', () => {
    expect(v3Error(businessFailure(TRADE_SUB_CODES.TRADE_NOT_EXIST))).toMatchObject({ status: 404, body: { code: 'ACQ.TRADE_NOT_EXIST' } });
    expect(v3Error(businessFailure(TRADE_SUB_CODES.TRADE_HAS_SUCCESS)).status).toBe(400);
    expect(v3Error(invalidArgument('isv.invalid-signature', 'x')).status).toBe(401);
  });

  it('remembers nonces until they expire', async () => {
    const store = new MemoryNonceStore();
    expect(await store.claim('a', 'n', 1_000, 0)).toBe(true);
    expect(await store.claim('a', 'n', 1_000, 500)).toBe(false);
    expect(await store.claim('b', 'n', 1_000, 500)).toBe(true);
    expect(await store.claim('a', 'n', 3_000, 1_000)).toBe(true);
  });
});

describe('notifications', () => {
  const fields = {
    notify_type: 'trade_status_sync',
    notify_id: 'ntf_1',
    app_id: 'app_1',
    trade_no: 'trd_1',
    out_trade_no: 'T1',
    trade_status: 'TRADE_SUCCESS',
    total_amount: '9.99',
    gmt_payment: '2026-01-01 08:00:00',
    gmt_refund: undefined,
  };

  it('are accepted by checkNotifySign and refused when tampered', () => {
    const signed = signNotification(fields, platform.privateKey);
    expect(signed).not.toHaveProperty('gmt_refund');
    expect(sdk.checkNotifySign(signed)).toBe(true);
    expect(sdk.checkNotifySignV2(signed)).toBe(true);
    const { sign_type: _dropped, ...withoutType } = signed;
    expect(sdk.checkNotifySign(withoutType)).toBe(true);
    expect(sdk.checkNotifySign({ ...signed, total_amount: '99.90' })).toBe(false);
    expect(verifyNotification(signed, platform.publicKey)).toBe(true);
  });

  it('accepts a bare Base64 public key', () => {
    const bare = platform.publicKey.replace(/-----[^-]+-----/g, '').replace(/\s/g, '');
    const signed = signNotification(fields, platform.privateKey);
    expect(verifyNotification(signed, normalizePublicKeyPem(bare))).toBe(true);
  });
});
