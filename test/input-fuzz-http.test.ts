// Every route under unclean input, read from the server's own OpenAPI document so a new route is
// covered the day it is added: a NUL, another control character or a lone surrogate in any string
// field, query or path parameter is refused with 400 `invalid_request`, and random mixes of valid
// and hostile values never answer 5xx. The merchant gateway answers the open API's 40002 instead.
// SQLite always; PostgreSQL (which cannot store a NUL) when DATABASE_URL is set.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { formatChinaTime } from '../src/modules/merchant/protocol/china-time.ts';
import { signV2Params } from '../src/modules/merchant/protocol/v2-request.ts';
import { signV3Request } from '../src/modules/merchant/protocol/v3-auth.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { findUncleanText } from '../src/text/clean-text.ts';
import { type Reply, send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

interface JsonSchema {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  pattern?: string;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  anyOf?: JsonSchema[];
}

interface Parameter {
  in: 'path' | 'query';
  name: string;
  schema: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  body?: JsonSchema;
  auth: 'operator' | 'session' | 'merchant' | 'none';
}

const CONTROLS = ['\u0000', '\u0001', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f', '\ud800', '\udfff'];

/** A string with at least one character the text rule refuses, somewhere in it. */
const hostile = fc
  .tuple(fc.string({ maxLength: 6 }), fc.constantFrom(...CONTROLS), fc.string({ maxLength: 6 }))
  .map(([before, bad, after]) => before + bad + after);

/** Values the schema accepts, or close to it: enough to get past validation often. */
function plausible(schema: JsonSchema, full = false): fc.Arbitrary<unknown> {
  if (schema.anyOf?.length) return plausible(schema.anyOf[0]!, full);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'object': {
      const properties = schema.properties ?? {};
      const record = Object.fromEntries(Object.entries(properties).map(([key, inner]) => [key, plausible(inner, full)]));
      return fc.record(record, { requiredKeys: full ? Object.keys(properties) : (schema.required ?? []) });
    }
    case 'array': {
      const minLength = Math.max(schema.minItems ?? 0, full ? 1 : 0);
      return fc.array(plausible(schema.items ?? {}, full), { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 3, 3)) });
    }
    case 'integer':
      return fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1000, 1_000_000) });
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'string':
      if (schema.format === 'uri') return fc.constant('http://127.0.0.1:9/notify');
      if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { maxLength: 64 });
      return fc.string({ minLength: Math.max(schema.minLength ?? 0, 1), maxLength: Math.min(schema.maxLength ?? 20, 20) });
    default:
      return fc.string({ maxLength: 8 });
  }
}

/** Like plausible, but each string may be hostile instead. */
function mixed(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.anyOf?.length) return mixed(schema.anyOf[0]!);
  if (schema.type === 'string' || schema.enum) return fc.oneof(plausible(schema), hostile);
  if (schema.type === 'object') {
    const properties = schema.properties ?? {};
    return fc.record(Object.fromEntries(Object.entries(properties).map(([key, inner]) => [key, mixed(inner)])), { requiredKeys: schema.required ?? [] });
  }
  if (schema.type === 'array') return fc.array(mixed(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: 3 });
  return plausible(schema);
}

/** The paths (`a.0.b`) of every string leaf in a schema, arrays by their first item. */
function stringLeaves(schema: JsonSchema, at: string[] = []): string[][] {
  if (schema.anyOf?.length) return stringLeaves(schema.anyOf[0]!, at);
  if (schema.type === 'string' || schema.enum?.every((v) => typeof v === 'string')) return [at];
  if (schema.type === 'object') return Object.entries(schema.properties ?? {}).flatMap(([key, inner]) => stringLeaves(inner, [...at, key]));
  if (schema.type === 'array' && schema.items) return stringLeaves(schema.items, [...at, '0']);
  return [];
}

function setAt(target: unknown, at: string[], value: unknown): void {
  let node = target as Record<string, unknown>;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[at[at.length - 1]!] = value;
}

/** Percent-encodes the UTF-8 bytes: a lone surrogate goes as U+FFFD, as any client would send it. */
function urlPart(value: unknown): string {
  return [...Buffer.from(String(value))].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
}

/** What the server receives for a URL part (see urlPart). */
const asSent = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(String(v)).toString()]));

function sample<T>(arbitrary: fc.Arbitrary<T>, seed: number): T {
  return fc.sample(arbitrary, { numRuns: 1, seed })[0]!;
}

/** The routes a client can call with JSON; the merchant open API speaks its own protocol (tested below). */
function operationsOf(openapi: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths)) {
    if (path.startsWith('/v3/') || path === '/gateway.do') continue;
    for (const [method, op] of Object.entries(methods)) {
      const security = (op.security as Record<string, unknown>[] | undefined)?.[0];
      const auth = security ? (Object.keys(security)[0] as Operation['auth']) : 'none';
      const body = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content?.['application/json']?.schema;
      operations.push({ method: method.toUpperCase(), path, parameters: (op.parameters as Parameter[] | undefined) ?? [], body, auth });
    }
  }
  return operations;
}

interface Request {
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  body?: unknown;
}

describe.each(storesUnderTest())('every route under unclean input (%s)', (store) => {
  const clock = new ManualClock(Date.now());
  const merchantKeys = rsaKeyPair();
  let bank: RunningBankSimulator;
  let server: TestServer;
  let operations: Operation[] = [];
  let userToken = '';
  let appId = '';

  beforeAll(async () => {
    bank = await startBankSimulator({ clock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 400 });
    operations = operationsOf((await (await fetch(`${server.url}/openapi.json`)).json()) as Parameters<typeof operationsOf>[0]);
    const phone = store === 'sqlite' ? '13900000001' : '13900000002';
    expect((await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Fuzz' })).status).toBe(201);
    userToken = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' })).body.token;
    const merchant = await server.call('POST', '/v1/admin/merchants', { name: 'Fuzz Shop', public_key: merchantKeys.publicKey, fee_bps: 60 });
    appId = merchant.body.app_id;
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  /** Routes that can end the session they are called with (logout, refresh, password, revoke). */
  const endsSession = (op: Operation) => /^\/v1\/(sessions\/current|me\/password|me\/sessions\/)/.test(op.path);
  let throwaways = 0;
  /** A session of its own user, so ending it leaves the shared one alive (no HTTP login: its limits stay out of it). */
  async function throwawaySession(): Promise<string> {
    const phone = `1391${store === 'sqlite' ? '1' : '2'}${String(++throwaways).padStart(6, '0')}`;
    const origin = { address: 'fuzz-setup' };
    await server.app.identity.signUp({ phone, password: 'correct horse', name: 'Throwaway' }, origin);
    return (await server.app.identity.login({ phone, password: 'correct horse' }, origin)).token;
  }

  /** JSON in; the answer's status, and its body when it is JSON (metrics and pages are text). */
  async function call(op: Operation, request: Request): Promise<Reply> {
    const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => urlPart(request.params[name] ?? 'x'));
    const query = Object.entries(request.query)
      .map(([k, v]) => `${k}=${urlPart(v)}`)
      .join('&');
    const headers: Record<string, string> = {};
    const session = op.auth === 'session' ? (endsSession(op) ? await throwawaySession() : userToken) : undefined;
    const token = op.auth === 'operator' ? server.token : session;
    if (token) headers.authorization = `Bearer ${token}`;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const response = await fetch(`${server.url}${path}${query ? `?${query}` : ''}`, { method: op.method, headers, body });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') && text !== '';
    return { status: response.status, body: json ? JSON.parse(text) : text };
  }

  function validRequest(op: Operation, seed: number): Request {
    const request: Request = { params: {}, query: {} };
    for (const p of op.parameters) (p.in === 'path' ? request.params : request.query)[p.name] = sample(plausible(p.schema), seed);
    if (op.body) request.body = sample(plausible(op.body, true), seed);
    return request;
  }

  it('refuses a NUL or control character in every string field and parameter with 400 and a code', async () => {
    expect(operations.length).toBeGreaterThan(30);
    let checked = 0;
    for (const [index, op] of operations.entries()) {
      const targets: { where: string; poison(request: Request, bad: string): void }[] = [
        ...op.parameters
          .filter((p) => p.schema.type === 'string' && p.name !== '*')
          .map((p) => ({ where: `${p.in} ${p.name}`, poison: (r: Request, bad: string) => ((p.in === 'path' ? r.params : r.query)[p.name] = bad) })),
        ...(op.body ? stringLeaves(op.body) : []).map((at) => ({ where: `body ${at.join('.')}`, poison: (r: Request, bad: string) => setAt(r.body, at, bad) })),
      ];
      for (const target of targets) {
        // A lone surrogate cannot travel in a URL (it arrives as U+FFFD), only in JSON.
        const bads = target.where.startsWith('body') ? ['a\u0000b', 'x\u001by', '\ud800'] : ['a\u0000b', 'x\u001by'];
        for (const bad of bads) {
          const request = validRequest(op, index);
          target.poison(request, bad);
          const reply = await call(op, request);
          const what = `${op.method} ${op.path} ${target.where} = ${JSON.stringify(bad)}: ${JSON.stringify(reply.body)}`;
          // Merchant routes check the signature first: an unsigned request is 401 before its fields are read.
          if (op.auth === 'merchant' && reply.status === 401) continue;
          // 400 with a stable code: the schemas' invalid_request, or a route's own (e.g. invalid_date).
          expect(reply.status, what).toBe(400);
          expect(reply.body.code, what).toMatch(/^[a-z_]+$/);
          checked += 1;
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('never answers a mix of valid and hostile values with a 5xx', async () => {
    const request = (op: Operation) =>
      fc.record({
        params: fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, mixed(p.schema)]))),
        query: fc.record(Object.fromEntries(op.parameters.filter((p) => p.in === 'query').map((p) => [p.name, mixed(p.schema)])), { requiredKeys: [] }),
        body: op.body ? fc.oneof(mixed(op.body), fc.jsonValue()) : fc.constant(undefined),
      });
    const call$ = fc.constantFrom(...operations).chain((op) => request(op).map((r) => ({ op, request: r as Request })));
    await fc.assert(
      fc.asyncProperty(call$, async ({ op, request }) => {
        const reply = await call(op, request);
        const what = `${op.method} ${op.path} ${JSON.stringify(request)}: ${reply.status} ${JSON.stringify(reply.body)}`;
        expect(reply.status, what).toBeLessThan(500);
        const unclean = findUncleanText(asSent(request.params)) ?? findUncleanText(asSent(request.query)) ?? findUncleanText(request.body);
        if (unclean) expect(reply.status, what).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: 400 },
    );
  });

  it('answers GET /checkout/%00 with 400, not a page or a 500', async () => {
    const reply = await send(`${server.url}/checkout/%00`, undefined, 'GET');
    expect(reply).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
  });

  it('the gateway answers control characters with the invalid-parameter error (40002), never 20000', async () => {
    const v2 = async (params: Record<string, string>, biz: Record<string, unknown>) => {
      const base = {
        app_id: appId,
        method: 'alipay.trade.query',
        charset: 'utf-8',
        sign_type: 'RSA2',
        timestamp: formatChinaTime(clock.now()),
        version: '1.0',
        ...params,
      };
      const signed = signV2Params({ ...base, biz_content: JSON.stringify(biz) }, merchantKeys.privateKey);
      return (await send(`${server.url}/gateway.do`, undefined, 'POST', signed)).body.alipay_trade_query_response;
    };
    for (const bad of ['a\u0000b', 'x\u0007', '\ud800']) {
      expect(await v2({}, { out_trade_no: bad })).toMatchObject({ code: '40002', sub_code: 'isv.invalid-parameter' });
      expect(await v2({}, { out_trade_no: 'ok', extra: { deep: [bad] } })).toMatchObject({ code: '40002', sub_code: 'isv.invalid-parameter' });
      // An unsigned public parameter is refused before the app directory is asked.
      expect(await v2({ app_id: bad }, {})).toMatchObject({ code: '40002', sub_code: 'isv.invalid-parameter' });
    }
    const body = JSON.stringify({ out_trade_no: 'a\u0000', total_amount: '1.00', subject: 'tea' });
    const route = '/v3/alipay/trade/create';
    const authorization = signV3Request(
      { appId, nonce: 'fuzz-nul', timestampMs: clock.now() },
      { httpMethod: 'POST', pathWithQuery: route, body },
      merchantKeys.privateKey,
    );
    const v3 = await fetch(`${server.url}${route}`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body });
    expect(v3.status).toBe(400);
    expect(await v3.json()).toMatchObject({ code: 'isv.invalid-parameter' });
  });

  it('takes amounts strictly: no surrounding white space', async () => {
    for (const amount of [' 1.00', '1.00 ', '\u00a01.00', '+1.00']) {
      const reply = await send(`${server.url}/v1/wallet/transfers`, userToken, 'POST', {
        to_phone: '13900000009',
        amount,
        currency: 'CNY',
        request_id: 'ws-1',
      });
      expect(reply, amount).toMatchObject({ status: 400, body: { code: 'amount_malformed' } });
    }
  });
});
