// An operator's ledger transfers and their audit entry share one write group: the entry commits
// with the transfers, before the answer, and the request costs one durable commit, not two. A
// request refused before the ledger is still logged with its status, and the chain stays intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBatches } from '../src/engine/metrics.ts';
import { verifyAuditLog } from '../src/modules/audit/audit-verify.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

interface WireEntry {
  kind: string;
  actor: string;
  subject: string;
  detail: string;
}

async function operatorRequests(server: TestServer): Promise<WireEntry[]> {
  const page = await server.call('GET', '/v1/admin/audit?after=0&limit=500');
  expect(page.status).toBe(200);
  return (page.body.entries as WireEntry[]).filter((e) => e.kind === 'operator.request');
}

async function transferGroups(): Promise<number> {
  const metric = await ledgerBatches.get();
  return metric.values.find((v) => v.labels.kind === 'transfers')?.value ?? 0;
}

const transfer = (id: string, amount: string) => ({ id, debit_account_id: 'la_a', credit_account_id: 'la_b', amount, ledger: 156, code: 1 });

describe.each(storesUnderTest())('ledger transfers and their audit entry (%s)', (store) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ store });
    const accounts = [
      { id: 'la_a', ledger: 156, code: 1, flags: ['debits_must_not_exceed_credits'] },
      { id: 'la_b', ledger: 156, code: 1 },
      { id: 'la_f', ledger: 156, code: 1 },
    ];
    expect((await server.call('POST', '/v1/ledger/accounts', { accounts })).status).toBe(200);
    const funding = { id: 'la_fund', debit_account_id: 'la_f', credit_account_id: 'la_a', amount: '1000', ledger: 156, code: 1 };
    expect((await server.call('POST', '/v1/ledger/transfers', { transfers: [funding] })).status).toBe(200);
  });
  afterAll(async () => server?.close());

  it('writes one entry per request in the transfers own write group, whatever the results', async () => {
    const before = await operatorRequests(server);
    const groups = await transferGroups();
    const ok = await server.call('POST', '/v1/ledger/transfers', { transfers: [transfer('la_t1', '10')] });
    expect(ok.status).toBe(200);
    expect(ok.body.results).toMatchObject([{ id: 'la_t1', result: 'ok' }]);
    // One group for the transfers and the entry together (it was two: the entry had its own).
    expect((await transferGroups()) - groups).toBe(1);
    const refused = await server.call('POST', '/v1/ledger/transfers', { transfers: [transfer('la_t2', '999999')] });
    expect(refused.status).toBe(200);
    expect(refused.body.results).toMatchObject([{ id: 'la_t2', result: 'exceeds_credits' }]);
    const after = await operatorRequests(server);
    expect(after.slice(before.length)).toEqual([
      expect.objectContaining({ actor: 'operator', subject: '/v1/ledger/transfers', detail: 'POST /v1/ledger/transfers -> 200' }),
      expect.objectContaining({ actor: 'operator', subject: '/v1/ledger/transfers', detail: 'POST /v1/ledger/transfers -> 200' }),
    ]);
  });

  it('logs a request refused before the ledger with its status, as every operator request', async () => {
    const before = await operatorRequests(server);
    const bad = await server.call('POST', '/v1/ledger/transfers', { transfers: [{ id: 'la_bad', amount: 5 }] });
    expect(bad.status).toBe(400);
    const after = await operatorRequests(server);
    expect(after.slice(before.length).map((e) => e.detail)).toEqual(['POST /v1/ledger/transfers -> 400']);
  });

  it('keeps one entry per request and an intact chain when many requests share a group', async () => {
    const before = await operatorRequests(server);
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => server.call('POST', '/v1/ledger/transfers', { transfers: [transfer(`la_c${i}`, '1')] })),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const after = await operatorRequests(server);
    expect(after.length - before.length).toBe(40);
    const audit = await verifyAuditLog(server.app.audit);
    expect(audit.problem).toBeNull();
  });
});
