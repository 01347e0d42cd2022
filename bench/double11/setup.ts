// The Double-11 world, made through Formica's own API before the load starts: merchant apps with
// their RSA keys, verified and funded buyers who answered the risk questionnaire, one group of all
// buyers with enough lucky packets for the run's opens, and a money-market fund.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { type Api, inBatches, post, setupPayers } from '../http-setup.ts';
import type { MerchantApp, World } from './plan.ts';

const generateKeys = promisify(generateKeyPair);
export const PACKET_SHARES = 100;
const PACKET_AMOUNT = '2.00';
const FUND_ID = 'd11-money-fund';

async function put<T>(api: Api, route: string, body: unknown, bearer: string): Promise<T> {
  const response = await fetch(api.url + route, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`setup PUT ${route}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

async function merchant(api: Api, i: number): Promise<MerchantApp> {
  const { publicKey, privateKey } = await generateKeys('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const app = await post<{ app_id: string }>(api, '/v1/admin/merchants', { name: `Double 11 shop ${i}`, public_key: publicKey, fee_bps: 60 });
  return { appId: app.app_id, privateKey };
}

/** Every buyer answers the questionnaire with its boldest options (tolerance 5), so the fund suits them. */
async function answerQuestionnaire(api: Api, tokens: readonly string[]): Promise<void> {
  const response = await fetch(`${api.url}/v1/risk-questionnaire`, { headers: { authorization: `Bearer ${tokens[0]}` } });
  const { questions } = (await response.json()) as { questions: { options: unknown[] }[] };
  const answers = questions.map((q) => q.options.length - 1);
  await inBatches(tokens.length, (i) => put(api, '/v1/me/risk-profile', { answers }, tokens[i]));
}

async function sendPackets(api: Api, tokens: readonly string[], groupId: string, count: number): Promise<string[]> {
  return inBatches(count, async (i) => {
    const body = { group_id: groupId, kind: 'lucky', amount: PACKET_AMOUNT, currency: 'CNY', shares: PACKET_SHARES, request_id: `d11-packet-${i}` };
    return (await post<{ packet_id: string }>(api, '/v1/red-packets', body, tokens[i % tokens.length])).packet_id;
  });
}

export interface WorldSize {
  readonly merchants: number;
  readonly buyers: number;
  readonly packets: number;
}

export async function setupWorld(api: Api, size: WorldSize, log: (text: string) => void): Promise<World> {
  log(`  setup: ${size.merchants} merchant apps with RSA keys`);
  const merchants = await inBatches(size.merchants, (i) => merchant(api, i));
  log(`  setup: ${size.buyers} buyers, verified in person (level III), funded, logged in`);
  const buyers = await setupPayers(api, size.buyers);
  await answerQuestionnaire(api, buyers.tokens);
  await post(api, '/v1/admin/funds', { fund_id: FUND_ID, name: 'Double 11 money fund', risk_level: 2 });
  const group = await post<{ group_id: string }>(api, '/v1/groups', { name: 'Double 11', member_phones: buyers.phones.slice(1) }, buyers.tokens[0]);
  log(`  setup: ${size.packets} lucky packets of ${PACKET_SHARES} shares in a group of ${size.buyers}`);
  const packetIds = await sendPackets(api, buyers.tokens, group.group_id, size.packets);
  return { url: api.url, buyerTokens: buyers.tokens, packetIds, packetShares: PACKET_SHARES, merchants, fundId: FUND_ID };
}
