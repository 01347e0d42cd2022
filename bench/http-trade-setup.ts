// The trade-payment row's setup: a merchant app with a fresh RSA key pair, and a pool of signed
// `POST /v3/alipay/trade/pay` requests, each charging a one-time paycode of one of the wallet
// payers. Paycodes are used up by one payment and RSA signing is slow, so the requests are made
// here, before the measurement, and the load worker only replays them (written to a file).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rsaSign } from '../src/modules/merchant/protocol/rsa.ts';
import { v3SignString } from '../src/modules/merchant/protocol/v3-auth.ts';
import type { Api } from './http-setup.ts';
import { WALLET_AMOUNT } from './http-workload.ts';

export const TRADE_PATH = '/v3/alipay/trade/pay';
/** Paycodes asked for at once. */
const PAYCODE_PARALLEL = 50;

export interface SignedRequest {
  readonly headers: Record<string, string>;
  readonly body: string;
}

async function call<T>(api: Api, method: string, route: string, bearer: string, body?: unknown): Promise<T> {
  const response = await fetch(api.url + route, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup ${method} ${route}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** A v3 merchant call to `route`, signed with the app's private key as the official SDK signs it. */
export function signedV3(appId: string, privateKey: string, route: string, body: string): SignedRequest {
  const authString = `app_id=${appId},nonce=${randomBytes(12).toString('hex')},timestamp=${Date.now()}`;
  const sign = rsaSign(v3SignString(authString, { httpMethod: 'POST', pathWithQuery: route, body }), privateKey);
  return { headers: { authorization: `ALIPAY-SHA256withRSA ${authString},sign=${sign}`, 'content-type': 'application/json' }, body };
}

/** `count` signed trade payments by the payers (round-robin); returns the file they are written to. */
export async function setupTradePayments(api: Api, payerTokens: readonly string[], count: number): Promise<string> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const merchant = await call<{ app_id: string }>(api, 'POST', '/v1/admin/merchants', api.token, { name: 'Bench shop', public_key: publicKey, fee_bps: 60 });
  const codes: string[] = [];
  for (let i = 0; i < count; i += PAYCODE_PARALLEL) {
    const wave = Array.from({ length: Math.min(PAYCODE_PARALLEL, count - i) }, (_, j) => payerTokens[(i + j) % payerTokens.length]);
    codes.push(...(await Promise.all(wave.map(async (token) => (await call<{ auth_code: string }>(api, 'GET', '/v1/wallet/paycode', token)).auth_code))));
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-trades-')), 'requests.jsonl');
  const lines = codes.map((code, i) => {
    const body = JSON.stringify({
      out_trade_no: `bench-${i}-${randomBytes(4).toString('hex')}`,
      scene: 'bar_code',
      auth_code: code,
      subject: 'Bench tea',
      total_amount: WALLET_AMOUNT,
    });
    return JSON.stringify(signedV3(merchant.app_id, privateKey, TRADE_PATH, body));
  });
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
