// The second factor and attempt limits over HTTP, on both stores, at their edges on the test clock:
// setting and changing the payment PIN, the lock after five wrong PINs, login throttled per phone
// and per address (429 with Retry-After), operator-token guesses, and a registration that does not
// tell whether a phone is taken.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { type Reply, send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { newUser as registerUser, type TestUser } from './support/users.ts';

const PASSWORD = 'correct horse';
const HOUR_MS = 3600 * 1000;

describe.each(storesUnderTest())('second factor and attempt limits (%s)', (store) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
  });
  afterAll(async () => {
    await server?.close();
  });
  // Every limit forgets a key after a quiet day: each test starts from clean counts.
  beforeEach(() => clock.advance(25 * HOUR_MS));

  const as = (token: string | undefined, method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);
  const login = (phone: string, password = PASSWORD) => as(undefined, 'POST', '/v1/sessions', { phone, password });

  const newUser = () => registerUser(server, 'Attempt User');

  async function payer(): Promise<{ alice: TestUser; bob: TestUser }> {
    const alice = await newUser();
    const bob = await newUser();
    expect((await server.call('POST', `/v1/admin/users/${alice.id}/verifications`, { level: 'II', reference: 'desk' })).status).toBe(201);
    const credit = { user_id: alice.id, amount: '500.00', currency: 'CNY', direction: 'credit', reason: 'funds', request_id: `fund-${alice.id}` };
    expect((await server.call('POST', '/v1/admin/adjustments', credit)).status).toBe(200);
    expect((await as(alice.token, 'PUT', '/v1/me/payment-pin', { payment_pin: '135790', password: PASSWORD })).status).toBe(200);
    return { alice, bob };
  }

  let payments = 0;
  const pay = (from: TestUser, to: TestUser, pin?: string): Promise<Reply> =>
    as(from.token, 'POST', '/v1/wallet/transfers', {
      to_phone: to.phone,
      amount: '0.01',
      currency: 'CNY',
      request_id: `p-${++payments}`,
      ...(pin ? { payment_pin: pin } : {}),
    });

  it('sets a first PIN only with the password, and changes it only with the current PIN', async () => {
    const user = await newUser();
    const pin = (body: Record<string, string>) => as(user.token, 'PUT', '/v1/me/payment-pin', body);
    expect(await pin({ payment_pin: '111111' })).toMatchObject({ status: 400, body: { code: 'password_required' } });
    expect(await pin({ payment_pin: '111111', password: 'not the password' })).toMatchObject({ status: 403, body: { code: 'password_wrong' } });
    expect(await pin({ payment_pin: '111111', password: PASSWORD })).toMatchObject({ status: 200, body: { has_payment_pin: true } });
    // A stolen session (and even the password) cannot replace the PIN without the current one.
    expect(await pin({ payment_pin: '222222', password: PASSWORD })).toMatchObject({ status: 400, body: { code: 'current_pin_required' } });
    expect(await pin({ payment_pin: '222222', current_pin: '999999' })).toMatchObject({ status: 403, body: { code: 'payment_pin_wrong', attempts_left: '4' } });
    expect((await pin({ payment_pin: '222222', current_pin: '111111' })).status).toBe(200);
    expect(await pin({ payment_pin: '333333', current_pin: '111111' })).toMatchObject({ status: 403, body: { code: 'payment_pin_wrong' } });
    const events = (await server.app.identity.audit.list(user.id)).map((e) => e.kind);
    expect(events).toEqual(expect.arrayContaining(['payment_pin_set', 'payment_pin_changed']));
  });

  it('locks payments that need the PIN for three hours after five wrong PINs', async () => {
    const { alice, bob } = await payer();
    for (const left of ['4', '3', '2', '1']) {
      expect(await pay(alice, bob, '000000')).toMatchObject({ status: 403, body: { code: 'payment_pin_wrong', attempts_left: left } });
    }
    const fifth = await pay(alice, bob, '000000');
    expect(fifth).toMatchObject({ status: 403, body: { code: 'payment_pin_wrong', attempts_left: '0' } });
    const lockedUntil = fifth.body.locked_until as string;
    expect(Date.parse(lockedUntil)).toBe(clock.now() + 3 * HOUR_MS);
    // The right PIN is refused while locked; so is changing the PIN with it.
    expect(await pay(alice, bob, '135790')).toMatchObject({ status: 403, body: { code: 'payment_pin_locked', locked_until: lockedUntil, attempts_left: '0' } });
    expect((await as(alice.token, 'PUT', '/v1/me/payment-pin', { payment_pin: '246802', current_pin: '135790' })).body.code).toBe('payment_pin_locked');
    // Payments that do not need the PIN go on.
    expect((await pay(alice, bob)).status).toBe(200);
    clock.advance(3 * HOUR_MS - 1);
    expect((await pay(alice, bob, '135790')).body.code).toBe('payment_pin_locked');
    clock.advance(1);
    expect((await pay(alice, bob, '135790')).status).toBe(200);
    // A fresh count after the lock: four wrong, one right, four wrong again, and no lock.
    for (let i = 0; i < 4; i += 1) expect((await pay(alice, bob, '000000')).body.code).toBe('payment_pin_wrong');
    expect((await pay(alice, bob, '135790')).status).toBe(200);
    for (let i = 0; i < 4; i += 1) expect((await pay(alice, bob, '000000')).body.attempts_left).toBe(String(4 - i));
    expect((await pay(alice, bob, '135790')).status).toBe(200);
  });

  it('counts concurrent wrong PINs before checking them: a burst cannot outrun the lock', async () => {
    const { alice, bob } = await payer();
    const burst = await Promise.all(Array.from({ length: 20 }, () => pay(alice, bob, '000000')));
    const codes = burst.map((r) => r.body.code);
    expect(codes.every((c) => c === 'payment_pin_wrong' || c === 'payment_pin_locked')).toBe(true);
    expect(codes.filter((c) => c === 'payment_pin_wrong').length).toBeLessThanOrEqual(5);
    expect((await pay(alice, bob, '135790')).body.code).toBe('payment_pin_locked');
  });

  it('throttles logins per phone with growing waits, 429 and Retry-After, the right password included', async () => {
    const user = await newUser();
    for (let i = 0; i < 5; i += 1) expect((await login(user.phone, 'wrong password')).status).toBe(401);
    const waiting = await fetch(`${server.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: user.phone, password: PASSWORD }),
    });
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('30');
    expect(await waiting.json()).toMatchObject({ code: 'too_many_attempts', retry_after: '30' });
    clock.advance(29_999);
    expect((await login(user.phone)).status).toBe(429);
    clock.advance(1);
    expect((await login(user.phone, 'wrong password')).status).toBe(401);
    // The next wait doubles.
    expect((await login(user.phone)).body).toMatchObject({ code: 'too_many_attempts', retry_after: '60' });
    clock.advance(60_000);
    expect((await login(user.phone)).status).toBe(201);
    // A right password clears the phone's count.
    for (let i = 0; i < 4; i += 1) expect((await login(user.phone, 'wrong password')).status).toBe(401);
    expect((await login(user.phone)).status).toBe(201);
    const kinds = (await server.app.identity.audit.list(user.id)).map((e) => e.kind);
    expect(kinds.filter((k) => k === 'login_failed').length).toBe(10);
  });

  it('throttles logins per client address across phones', async () => {
    const owner = await newUser();
    // 20 wrong attempts spread over phones that stay under their own limit.
    for (let i = 0; i < 20; i += 1) expect((await login(`1340000${String(i).padStart(4, '0')}`, 'guess')).status).toBe(401);
    const blocked = await login(owner.phone);
    expect(blocked).toMatchObject({ status: 429, body: { code: 'too_many_attempts', retry_after: '30' } });
    clock.advance(30_000);
    expect((await login(owner.phone)).status).toBe(201);
  });

  it('does not count refusals of a waiting phone against its address', async () => {
    const [victim, neighbour] = [await newUser(), await newUser()];
    for (let i = 0; i < 5; i += 1) expect((await login(victim.phone, 'guess')).status).toBe(401);
    for (let i = 0; i < 30; i += 1) expect((await login(victim.phone, 'guess')).status).toBe(429);
    expect((await login(neighbour.phone)).status).toBe(201);
  });

  it('throttles operator-token guesses per address, the right token included while it waits', async () => {
    const guess = (token: string) => as(token, 'GET', '/v1/admin/dashboard');
    for (let i = 0; i < 5; i += 1) expect((await guess(`wrong-token-${i}`)).status).toBe(401);
    const waiting = await fetch(`${server.url}/v1/admin/dashboard`, { headers: { authorization: 'Bearer wrong-again' } });
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('30');
    expect((await guess(server.token)).status).toBe(429);
    clock.advance(30_000);
    expect((await guess(server.token)).status).toBe(200);
  });

  it('answers a registration for a taken phone like any other, and tells the owner', async () => {
    const owner = await newUser();
    const again = await as(undefined, 'POST', '/v1/users', { phone: owner.phone, password: 'someone else', name: 'Impostor' });
    const fresh = await as(undefined, 'POST', '/v1/users', {
      phone: `1361${String(Date.now() % 10_000_000).padStart(7, '0')}`,
      password: 'someone else',
      name: 'New',
    });
    expect(again.status).toBe(fresh.status);
    expect(Object.keys(again.body)).toEqual(Object.keys(fresh.body));
    expect(again.body.user_id).not.toBe(owner.id);
    expect((await login(owner.phone, 'someone else')).status).toBe(401);
    expect((await login(owner.phone)).status).toBe(201);
    const kinds = (await server.app.identity.audit.list(owner.id)).map((e) => e.kind);
    expect(kinds).toContain('registration_for_taken_phone');
  });
});
