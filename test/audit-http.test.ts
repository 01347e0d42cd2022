// The platform audit log through the real server, on both stores: a login, an operator's in-person
// verification, an adjustment (once, however often replayed), a merchant key rotation and a refused
// operator token each leave one entry; operators read them in pages; the chain verifies intact.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog } from '../src/modules/audit/audit-verify.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { newUser } from './support/users.ts';

const publicKey = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } })
    .publicKey;

interface WireEntry {
  seq: string;
  kind: string;
  actor: string;
  subject: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

/** Every entry, read three at a time as an operator pages through them. */
async function readAll(server: TestServer): Promise<WireEntry[]> {
  const entries: WireEntry[] = [];
  let after: string | null = '0';
  while (after !== null) {
    const page = await server.call('GET', `/v1/admin/audit?after=${after}&limit=3`);
    expect(page.status).toBe(200);
    entries.push(...page.body.entries);
    after = page.body.next;
  }
  return entries;
}

describe.each(storesUnderTest())('the platform audit log over HTTP (%s)', (store) => {
  let server: TestServer;
  afterAll(async () => server?.close());

  it('logs logins, verdicts, adjustments, key rotations and operator actions, in one intact chain', async () => {
    server = await startTestServer({ store });
    const user = await newUser(server);
    expect((await server.call('POST', `/v1/admin/users/${user.id}/verifications`, { level: 'II', reference: 'desk 7' })).status).toBe(201);
    const adjustment = { user_id: user.id, amount: '12.34', currency: 'CNY', direction: 'credit', reason: 'goodwill', request_id: 'adj-audit-1' };
    expect((await server.call('POST', '/v1/admin/adjustments', adjustment)).status).toBe(200);
    expect((await server.call('POST', '/v1/admin/adjustments', adjustment)).status).toBe(200);
    const merchant = await server.call('POST', '/v1/admin/merchants', { name: 'Audit Shop', public_key: publicKey(), fee_bps: 60 });
    expect(merchant.status).toBe(201);
    const merchantId = merchant.body.merchant_id;
    expect((await server.call('POST', `/v1/admin/merchants/${merchantId}/keys`, { public_key: publicKey() })).status).toBe(200);
    expect((await send(`${server.url}/v1/admin/adjustments`, 'not-the-operator-token', 'POST', adjustment)).status).toBe(401);

    const entries = await readAll(server);
    expect(entries.map((e) => e.seq)).toEqual(entries.map((_, i) => String(i + 1)));
    const kinds = (kind: string) => entries.filter((e) => e.kind === kind);
    expect(kinds('identity.login')).toMatchObject([{ actor: user.id, subject: user.id }]);
    expect(kinds('identity.verification')).toMatchObject([{ actor: 'operator', subject: user.id, detail: 'accepted in_person (level II), reference desk 7' }]);
    expect(kinds('wallet.adjustment')).toMatchObject([{ actor: 'operator', subject: user.id }]);
    expect(kinds('wallet.adjustment')[0].detail).toContain('credit 1234 minor CNY: applied');
    expect(kinds('merchant.key_rotated')).toMatchObject([{ actor: 'operator', subject: merchantId }]);
    expect(kinds('operator.request').map((e) => e.detail)).toEqual([
      `POST /v1/admin/users/${user.id}/verifications -> 201`,
      'POST /v1/admin/adjustments -> 200',
      'POST /v1/admin/adjustments -> 200',
      'POST /v1/admin/merchants -> 201',
      `POST /v1/admin/merchants/${merchantId}/keys -> 200`,
    ]);
    expect(kinds('operator.token_refused')).toMatchObject([{ detail: 'POST /v1/admin/adjustments -> 401' }]);
    // The module's entry commits before the operator's request is answered and logged.
    const verdictAt = entries.indexOf(kinds('identity.verification')[0]);
    expect(entries[verdictAt + 1].detail).toBe(`POST /v1/admin/users/${user.id}/verifications -> 201`);
    for (const [i, entry] of entries.entries()) if (i > 0) expect(entry.prev_hash).toBe(entries[i - 1].hash);
    expect(await verifyAuditLog(server.app.audit)).toEqual({ entries: entries.length, problem: null });
  });

  it('refuses a page cursor that is not an entry number', async () => {
    const bad = await server.call('GET', '/v1/admin/audit?after=abc');
    expect(bad.status).toBe(400);
  });
});
