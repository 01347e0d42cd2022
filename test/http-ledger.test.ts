// The ledger API as a client sees it: authentication, bad input answered with a 4xx and a stable
// code (and nothing changed), paging, and the system routes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

describe.each(storesUnderTest())('ledger HTTP API (%s)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
    const accounts = [
      { id: 'h_a', ledger: 156, code: 1, flags: ['debits_must_not_exceed_credits'] },
      { id: 'h_b', ledger: 156, code: 1 },
    ];
    expect((await server.call('POST', '/v1/ledger/accounts', { accounts })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses callers without the operator token', async () => {
    const none = await fetch(`${server.url}/v1/ledger/accounts/h_a`);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'unauthorized' });
    const wrong = await fetch(`${server.url}/v1/ledger/accounts/h_a`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
  });

  const badTransfers: [string, unknown, string][] = [
    ['amount as a JSON number', { transfers: [{ id: 'x1', amount: 5 }] }, 'invalid_request'],
    ['an unknown flag', { transfers: [{ id: 'x1', flags: ['instant'] }] }, 'invalid_request'],
    ['an id with a space', { transfers: [{ id: 'x 1' }] }, 'invalid_request'],
    ['an id too long', { transfers: [{ id: 'x'.repeat(65) }] }, 'invalid_request'],
    ['a negative amount', { transfers: [{ id: 'x1', amount: '-5' }] }, 'invalid_request'],
    ['a decimal amount', { transfers: [{ id: 'x1', amount: '1.5' }] }, 'invalid_request'],
    ['an amount past 2^63-1', { transfers: [{ id: 'x1', amount: '9223372036854775808' }] }, 'invalid_request'],
    ['an unknown field', { transfers: [{ id: 'x1', amout: '5' }] }, 'invalid_request'],
    ['an empty batch', { transfers: [] }, 'invalid_request'],
    ['a missing body field', {}, 'invalid_request'],
    ['a fractional ledger', { transfers: [{ id: 'x1', ledger: 1.5 }] }, 'invalid_request'],
  ];
  it.each(badTransfers)('answers %s with 400 and changes nothing', async (_name, body, code) => {
    const { status, body: error } = await server.call('POST', '/v1/ledger/transfers', body);
    expect(status).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toEqual(expect.any(String));
    expect((await server.call('GET', '/v1/ledger/transfers/x1')).status).toBe(404);
  });

  it('never answers arbitrary JSON with a 5xx', async () => {
    const field = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string()));
    const event = fc.dictionary(
      fc.constantFrom('id', 'debit_account_id', 'credit_account_id', 'amount', 'ledger', 'code', 'flags', 'pending_id', 'timeout', 'user_data'),
      field,
    );
    const body = fc.oneof(fc.record({ transfers: fc.array(event, { maxLength: 4 }) }), fc.jsonValue());
    await fc.assert(
      fc.asyncProperty(body, async (input) => {
        const { status } = await server.call('POST', '/v1/ledger/transfers', input);
        expect(status).toBeLessThan(500);
      }),
      { numRuns: 200 },
    );
  });

  it('answers malformed JSON with 400', async () => {
    const response = await fetch(`${server.url}/v1/ledger/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      body: '{"transfers": [',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'malformed_json' });
  });

  it('answers a batch over 8189 events with 400', async () => {
    const transfers = Array.from({ length: 8190 }, (_, i) => ({ id: `big${i}` }));
    const { status } = await server.call('POST', '/v1/ledger/transfers', { transfers });
    expect(status).toBe(400);
  });

  it('answers unknown ids and routes with 404', async () => {
    expect((await server.call('GET', '/v1/ledger/accounts/nobody')).body).toMatchObject({ code: 'account_not_found' });
    expect((await server.call('GET', '/v1/ledger/transfers/nothing')).body).toMatchObject({ code: 'transfer_not_found' });
    expect((await server.call('GET', '/v1/ledger/nowhere')).status).toBe(404);
  });

  it('pages an account history oldest first', async () => {
    const transfers = Array.from({ length: 25 }, (_, i) => ({
      id: `pg${i}`,
      debit_account_id: 'h_b',
      credit_account_id: 'h_a',
      amount: String(i + 1),
      ledger: 156,
      code: i % 2 === 0 ? 1 : 2,
      user_data: `order-${i}`,
    }));
    const created = await server.call('POST', '/v1/ledger/transfers', { transfers });
    expect(created.body.results.every((r: { result: string }) => r.result === 'ok')).toBe(true);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const query: string = after ? `?limit=10&after=${after}` : '?limit=10';
      const { body } = await server.call('GET', `/v1/ledger/accounts/h_a/transfers${query}`);
      seen.push(...body.transfers.map((t: { id: string }) => t.id));
      after = body.next;
    } while (after);
    expect(seen).toEqual(transfers.map((t) => t.id));
    const odd = await server.call('GET', '/v1/ledger/accounts/h_a/transfers?code=2&limit=100');
    expect(odd.body.transfers).toHaveLength(12);
    const one = await server.call('GET', '/v1/ledger/accounts/h_a/transfers?user_data=order-3');
    expect(one.body.transfers.map((t: { id: string }) => t.id)).toEqual(['pg3']);
    const all = (await server.call('GET', '/v1/ledger/accounts/h_a/transfers?limit=100')).body.transfers;
    const early = await server.call('GET', `/v1/ledger/accounts/h_a/transfers?until=${all[4].timestamp}`);
    expect(early.body.transfers).toHaveLength(5);
    const bad = await server.call('GET', '/v1/ledger/accounts/h_a/transfers?limit=0');
    expect(bad.status).toBe(400);
  });

  it('serves health, metrics (to the operator only), the OpenAPI document and the docs page', async () => {
    expect(await (await fetch(`${server.url}/health`)).json()).toMatchObject({ status: 'ok', store });
    // A store whose machinery failed (the log layout's worker given up on) answers 503, so the process is restarted.
    const { store: ledgerStore } = server.app;
    ledgerStore.health = () => ({ status: 'failed', detail: 'ledger worker failed, 3 log rows behind, 5 restarts' });
    try {
      const failed = await fetch(`${server.url}/health`);
      expect([failed.status, await failed.json()]).toEqual([503, { status: 'failed', store, detail: 'ledger worker failed, 3 log rows behind, 5 restarts' }]);
    } finally {
      delete ledgerStore.health;
    }
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    expect(metrics).toContain('formica_ledger_batches_total');
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/v1/ledger/transfers');
    expect((await fetch(`${server.url}/docs/`)).status).toBe(200);
  });
});
