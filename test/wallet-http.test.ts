// End-to-end tests of identity and wallet over the real HTTP server: registration and sessions,
// real-name levels, transfers by phone, every limit at its edge, idempotent replays, concurrency
// (200 transfers from one wallet), ownership, and bad input. SQLite always; PostgreSQL when set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/engine/clock.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send, type Reply } from './support/http.ts';
import { showEvidence } from './support/users.ts';

const DAY_MS = 24 * 3600 * 1000;

describe.each(storesUnderTest())('identity and wallet over HTTP (%s)', (store) => {
  let server: TestServer;
  let phoneSeq = 0;

  beforeAll(async () => {
    server = await startTestServer({ store });
  });
  afterAll(async () => {
    await server?.close();
  });

  const as = (token: string | undefined, method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);

  interface TestUser {
    id: string;
    phone: string;
    token: string;
    name: string;
  }

  async function newUser(name = 'Test User'): Promise<TestUser> {
    phoneSeq += 1;
    const phone = `139${String(Date.now() % 100000).padStart(5, '0')}${String(phoneSeq).padStart(3, '0')}`.slice(0, 11);
    const reg = await as(undefined, 'POST', '/v1/users', { phone, password: 'correct horse', name });
    expect(reg.status).toBe(201);
    const login = await as(undefined, 'POST', '/v1/sessions', { phone, password: 'correct horse' });
    expect(login.status).toBe(201);
    return { id: reg.body.user_id, phone, token: login.body.token, name };
  }

  /** Evidence each source accepts (see showEvidence). */
  const verify = (user: TestUser, sources: Parameters<typeof showEvidence>[2]) => showEvidence(server, user, sources);

  async function credit(user: TestUser, amount: string, requestId = `fund-${user.id}-${amount.replace('.', '_')}`): Promise<void> {
    const r = await server.call('POST', '/v1/admin/adjustments', {
      user_id: user.id,
      amount,
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funding',
      request_id: requestId,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }

  async function wallet(user: TestUser): Promise<Reply['body']> {
    const r = await as(user.token, 'GET', '/v1/wallet');
    expect(r.status).toBe(200);
    return r.body;
  }

  const pay = (from: TestUser, to: TestUser, amount: string, requestId: string, extra: Record<string, string> = {}) =>
    as(from.token, 'POST', '/v1/wallet/transfers', { to_phone: to.phone, amount, currency: 'CNY', request_id: requestId, ...extra });

  it('registers, logs in, answers a taken phone like a new one, refuses wrong passwords', async () => {
    const user = await newUser('Li Lei');
    const me = await as(user.token, 'GET', '/v1/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user_id: user.id, phone: user.phone, name: 'Li Lei', level: 'none', may_invest: false });
    expect(JSON.stringify(me.body)).not.toContain('password');
    const taken = await as(undefined, 'POST', '/v1/users', { phone: user.phone, password: 'another one', name: 'X' });
    expect(taken.status).toBe(201);
    expect(taken.body.user_id).toMatch(/^usr_/);
    expect(taken.body.user_id).not.toBe(user.id);
    expect((await as(undefined, 'POST', '/v1/sessions', { phone: user.phone, password: 'another one' })).status).toBe(401);
    const wrong = await as(undefined, 'POST', '/v1/sessions', { phone: user.phone, password: 'wrong password' });
    expect(wrong).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
    const unknown = await as(undefined, 'POST', '/v1/sessions', { phone: '13000000000', password: 'whatever1' });
    expect(unknown).toMatchObject({ status: 401, body: { code: 'invalid_credentials' } });
    const w = await wallet(user);
    expect(w).toMatchObject({ balance: '0.00', currency: 'CNY', level: 'none' });
  });

  it('derives the level from accepted evidence: one source I, three II, in person by an operator', async () => {
    const user = await newUser();
    expect(await verify(user, ['carrier'])).toBe('I');
    expect(await verify(user, ['carrier'])).toBe('I'); // the same source twice counts once
    expect(await verify(user, ['public_security', 'face'])).toBe('II');
    expect(await verify(user, ['id_document'])).toBe('II');
    // The fifth source is a bank card in the user's name (test/identity-evidence-http.test.ts).
    expect((await as(user.token, 'GET', '/v1/me')).body.may_invest).toBe(false);

    const walkIn = await newUser();
    const byUser = await as(walkIn.token, 'POST', `/v1/admin/users/${walkIn.id}/verifications`, { level: 'III', reference: 'desk-1' });
    expect(byUser.status).toBe(401);
    const byOperator = await server.call('POST', `/v1/admin/users/${walkIn.id}/verifications`, { level: 'II', reference: 'desk-1' });
    expect(byOperator).toMatchObject({ status: 201, body: { level: 'II' } });
    expect((await server.call('POST', '/v1/admin/users/usr_00000000000000000000000000/verifications', { reference: 'x' })).status).toBe(404);
  });

  it('transfers by phone, lists both statements, and lets an unverified user receive but not pay', async () => {
    const alice = await newUser('Alice');
    const bob = await newUser('Bob');
    await verify(alice, ['carrier']);
    await credit(alice, '100.00');
    const paid = await pay(alice, bob, '30.25', 'lunch-1', { memo: 'lunch' });
    expect(paid).toMatchObject({ status: 200, body: { amount: '30.25', currency: 'CNY', to_user_id: bob.id, status: 'completed' } });
    expect((await wallet(alice)).balance).toBe('69.75');
    expect((await wallet(bob)).balance).toBe('30.25');

    const refused = await pay(bob, alice, '1.00', 'back-1');
    expect(refused).toMatchObject({ status: 403, body: { code: 'verification_required', limit: 'unverified' } });

    const statement = await as(bob.token, 'GET', '/v1/wallet/statement');
    expect(statement.status).toBe(200);
    expect(statement.body.lines).toEqual([expect.objectContaining({ kind: 'transfer', direction: 'in', amount: '30.25', memo: 'lunch' })]);
    const aliceLines = (await as(alice.token, 'GET', '/v1/wallet/statement?limit=1')).body;
    expect(aliceLines.lines).toHaveLength(1);
    expect(aliceLines.lines[0]).toMatchObject({ kind: 'adjustment', direction: 'in', amount: '100.00' });
    const next = (await as(alice.token, 'GET', `/v1/wallet/statement?limit=1&after=${aliceLines.next}`)).body;
    expect(next.lines[0]).toMatchObject({ kind: 'transfer', direction: 'out', amount: '30.25' });

    expect((await pay(alice, alice, '1.00', 'self-1')).body.code).toBe('self_transfer');
    const nobody = await as(alice.token, 'POST', '/v1/wallet/transfers', { to_phone: '13000000001', amount: '1.00', currency: 'CNY', request_id: 'x-1' });
    expect(nobody).toMatchObject({ status: 404, body: { code: 'recipient_not_found' } });
    expect((await pay(alice, bob, '500.00', 'too-much')).body.code).toBe('insufficient_funds');
  });

  it('replays a request id without moving money twice, and refuses the id for another transfer', async () => {
    const alice = await newUser();
    const bob = await newUser();
    await verify(alice, ['carrier']);
    await credit(alice, '50.00');
    const first = await pay(alice, bob, '10.00', 'same-id');
    const second = await pay(alice, bob, '10.00', 'same-id');
    expect(second).toEqual(first);
    expect((await wallet(alice)).balance).toBe('40.00');
    expect(await pay(alice, bob, '11.00', 'same-id')).toMatchObject({ status: 409, body: { code: 'request_id_reused' } });
    // a refused transfer stays refused on replay, even once money has arrived
    expect((await pay(alice, bob, '45.00', 'later')).body.code).toBe('insufficient_funds');
    await credit(alice, '10.00', 'more');
    expect((await pay(alice, bob, '45.00', 'later')).body.code).toBe('insufficient_funds');
    expect((await wallet(alice)).limits.find((l: { name: string }) => l.name === 'level_I_lifetime').used).toBe('10.00');
    // adjustments replay too
    await credit(alice, '10.00', 'more');
    expect((await wallet(alice)).balance).toBe('50.00');
    const reused = await server.call('POST', '/v1/admin/adjustments', {
      user_id: alice.id,
      amount: '99.00',
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funding',
      request_id: 'more',
    });
    expect(reused.body.code).toBe('request_id_reused');
    const overdraw = await server.call('POST', '/v1/admin/adjustments', {
      user_id: alice.id,
      amount: '50.01',
      currency: 'CNY',
      direction: 'debit',
      reason: 'fix',
      request_id: 'd-1',
    });
    expect(overdraw).toMatchObject({ status: 422, body: { code: 'insufficient_funds' } });
  });

  it('holds level I to 1,000 CNY lifetime, naming the limit with used and left', async () => {
    const alice = await newUser();
    const bob = await newUser();
    await verify(alice, ['face']);
    await credit(alice, '3000.00');
    expect((await pay(alice, bob, '999.99', 'i-1')).status).toBe(200);
    const over = await pay(alice, bob, '0.02', 'i-2');
    expect(over).toMatchObject({
      status: 422,
      body: { code: 'limit_exceeded', limit: 'level_I_lifetime', used: '999.99', left: '0.01', limit_amount: '1000.00' },
    });
    expect(over.body.message).toContain('level_I_lifetime');
    expect((await pay(alice, bob, '0.01', 'i-3')).status).toBe(200);
    (server.clock as ManualClock).advance(400 * DAY_MS);
    alice.token = (await as(undefined, 'POST', '/v1/sessions', { phone: alice.phone, password: 'correct horse' })).body.token;
    expect((await pay(alice, bob, '0.01', 'i-4')).body.limit).toBe('level_I_lifetime');
    const limit = (await wallet(alice)).limits.find((l: { name: string }) => l.name === 'level_I_lifetime');
    expect(limit).toMatchObject({ used: '1000.00', left: '0.00' });
  });

  it('holds the daily limits by authentication strength, and level II to 100,000 CNY a year', async () => {
    const alice = await newUser();
    const bob = await newUser();
    await verify(alice, ['carrier', 'public_security', 'face']);
    await credit(alice, '200000.00');
    expect((await as(alice.token, 'PUT', '/v1/me/payment-pin', { payment_pin: '246810', password: 'correct horse' })).body.has_payment_pin).toBe(true);
    // start of a fresh day in China time (the clock may have moved in other tests)
    const clock = server.clock as ManualClock;
    const cst = 8 * 3600 * 1000;
    clock.set(Math.ceil((clock.now() + cst) / DAY_MS) * DAY_MS - cst + 1000);
    // Sessions end after 12 idle hours: Alice logs in again each day the clock moves on.
    const relogin = async () => {
      alice.token = (await as(undefined, 'POST', '/v1/sessions', { phone: alice.phone, password: 'correct horse' })).body.token;
    };
    const nextDay = async () => {
      clock.advance(DAY_MS);
      await relogin();
    };
    await relogin();
    expect((await pay(alice, bob, '1000.00', 'd-1')).status).toBe(200);
    expect((await pay(alice, bob, '0.01', 'd-2')).body).toMatchObject({ code: 'limit_exceeded', limit: 'daily_one_factor', left: '0.00' });
    expect((await pay(alice, bob, '0.01', 'd-3', { payment_pin: '000000' })).body.code).toBe('payment_pin_wrong');
    expect((await pay(alice, bob, '4000.00', 'd-4', { payment_pin: '246810' })).status).toBe(200);
    expect((await pay(alice, bob, '0.01', 'd-5', { payment_pin: '246810' })).body).toMatchObject({ limit: 'daily_two_factor', used: '5000.00' });
    await nextDay();
    expect((await pay(alice, bob, '5000.00', 'd-6', { payment_pin: '246810' })).status).toBe(200);

    // the year: 20 days of 5,000 reach 100,000
    const yearOf = (ms: number) => new Date(ms + cst).getUTCFullYear();
    let used = 10_000;
    let day = 7;
    while (used < 100_000 && yearOf(clock.now() + DAY_MS) === yearOf(clock.now())) {
      await nextDay();
      expect((await pay(alice, bob, '5000.00', `d-${day++}`, { payment_pin: '246810' })).status).toBe(200);
      used += 5000;
    }
    if (used === 100_000) {
      await nextDay();
      const over = await pay(alice, bob, '0.01', 'd-over', { payment_pin: '246810' });
      expect(over.body).toMatchObject({ code: 'limit_exceeded', limit: 'level_II_yearly', used: '100000.00', left: '0.00' });
    }
  });

  it('never overdraws under 200 concurrent transfers from one wallet, and loses nothing', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const carol = await newUser();
    const op = await server.call('POST', `/v1/admin/users/${alice.id}/verifications`, { level: 'III', reference: 'desk' });
    expect(op.status).toBe(201);
    await credit(alice, '100.00');
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => pay(alice, i % 2 ? bob : carol, '1.00', `c-${i}`)));
    const ok = replies.filter((r) => r.status === 200).length;
    const refused = replies.filter((r) => r.status === 422 && r.body.code === 'insufficient_funds').length;
    expect(ok).toBe(100);
    expect(refused).toBe(100);
    const balances = await Promise.all([alice, bob, carol].map(async (u) => Number((await wallet(u)).balance)));
    expect(balances[0]).toBe(0);
    expect(balances[0] + balances[1] + balances[2]).toBe(100);
    const daily = (await wallet(alice)).limits.find((l: { name: string }) => l.name === 'daily_one_factor');
    expect(daily.used).toBe('100.00');
  });

  it("refuses missing, unknown and expired tokens and never lets a user touch another's money", async () => {
    const alice = await newUser();
    expect((await as(undefined, 'GET', '/v1/wallet')).body.code).toBe('session_invalid');
    expect((await as('fst_forged', 'GET', '/v1/wallet')).status).toBe(401);
    expect((await as(server.token, 'GET', '/v1/wallet')).status).toBe(401); // the operator token is no session
    expect((await as(alice.token, 'POST', '/v1/ledger/transfers', { transfers: [{ id: 'steal' }] })).status).toBe(401);
    expect(
      (
        await as(alice.token, 'POST', '/v1/admin/adjustments', {
          user_id: alice.id,
          amount: '1.00',
          currency: 'CNY',
          direction: 'credit',
          reason: 'me',
          request_id: 'x',
        })
      ).status,
    ).toBe(401);
    // no user route names a wallet: unknown fields are refused rather than honoured
    const smuggled = await as(alice.token, 'POST', '/v1/wallet/transfers', {
      to_phone: alice.phone,
      from_user_id: 'usr_x',
      amount: '1.00',
      currency: 'CNY',
      request_id: 'r',
    });
    expect(smuggled.status).toBe(400);
    (server.clock as ManualClock).advance(31 * DAY_MS);
    expect((await as(alice.token, 'GET', '/v1/me')).status).toBe(401);
  });

  it('answers bad input of every field with a 4xx and a code', async () => {
    const alice = await newUser();
    const bob = await newUser();
    const good = { phone: '13700000000', password: 'long enough', name: 'N' };
    const badUsers = [
      {},
      { ...good, phone: '12345' },
      { ...good, phone: 13700000000 },
      { ...good, password: 'short' },
      { ...good, password: 'x'.repeat(200) },
      { ...good, name: '' },
      { ...good, name: 'n'.repeat(65) },
      { ...good, extra: 1 },
    ];
    for (const body of badUsers) {
      const r = await as(undefined, 'POST', '/v1/users', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.code).toBe('invalid_request');
    }
    expect((await as(undefined, 'POST', '/v1/sessions', { phone: 'abc', password: 'x' })).status).toBe(400);
    const malformed = await fetch(`${server.url}/v1/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"phone":' });
    expect(malformed.status).toBe(400);

    const t = { to_phone: bob.phone, amount: '1.00', currency: 'CNY', request_id: 'bad-1' };
    const badTransfers: [unknown, string][] = [
      [{ ...t, to_phone: '1' }, 'invalid_request'],
      [{ ...t, to_phone: undefined }, 'invalid_request'],
      [{ ...t, amount: 1 }, 'invalid_request'],
      [{ ...t, amount: '-1.00' }, 'amount_negative'],
      [{ ...t, amount: '1.001' }, 'amount_too_many_decimals'],
      [{ ...t, amount: 'abc' }, 'amount_malformed'],
      [{ ...t, amount: '0.00' }, 'amount_not_positive'],
      [{ ...t, amount: '99999999999999999999' }, 'amount_out_of_range'],
      [{ ...t, currency: 'cny' }, 'invalid_request'],
      [{ ...t, currency: 'XYZ' }, 'currency_unknown'],
      [{ ...t, currency: 'USD' }, 'currency_not_supported'],
      [{ ...t, request_id: '' }, 'invalid_request'],
      [{ ...t, request_id: 'has space' }, 'invalid_request'],
      [{ ...t, request_id: 'x'.repeat(65) }, 'invalid_request'],
      [{ ...t, memo: 'm'.repeat(141) }, 'invalid_request'],
      [{ ...t, memo: 5 }, 'invalid_request'],
      [{ ...t, payment_pin: '12' }, 'invalid_request'],
    ];
    for (const [body, code] of badTransfers) {
      const r = await as(alice.token, 'POST', '/v1/wallet/transfers', body);
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
      expect(r.body.code, JSON.stringify(body)).toBe(code);
    }
    const a = { user_id: alice.id, amount: '1.00', currency: 'CNY', direction: 'credit', reason: 'r', request_id: 'adj-bad' };
    const badAdjustments: unknown[] = [
      { ...a, user_id: 'nobody' },
      { ...a, amount: '-5' },
      { ...a, amount: '0' },
      { ...a, currency: 'EUR' },
      { ...a, direction: 'sideways' },
      { ...a, reason: '' },
      { ...a, request_id: '!' },
      { ...a, user_id: 'usr_00000000000000000000000000' },
    ];
    for (const body of badAdjustments) {
      const r = await server.call('POST', '/v1/admin/adjustments', body);
      expect(r.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
      expect(r.status, JSON.stringify(body)).toBeLessThan(500);
      expect(typeof r.body.code).toBe('string');
    }
    expect((await as(alice.token, 'GET', '/v1/wallet/statement?limit=0')).status).toBe(400);
    expect((await as(alice.token, 'GET', '/v1/wallet/statement?after=x')).status).toBe(400);
    expect((await as(alice.token, 'POST', '/v1/me/verifications', { source: 'horoscope', reference: 'r' })).status).toBe(400);
    expect((await as(alice.token, 'POST', '/v1/me/verifications', { source: 'face', reference: '' })).status).toBe(400);
    expect((await as(alice.token, 'POST', '/v1/me/verifications', { source: 'face', id_no: '110101199001011234', photo: 'not base64!' })).status).toBe(400);
    expect((await as(alice.token, 'POST', '/v1/me/verifications', { source: 'carrier', sms_code: '12345' })).status).toBe(400);
  });
});
