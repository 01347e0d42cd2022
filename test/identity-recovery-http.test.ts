// Getting back in with the phone, over HTTP on both stores, at the edges on the test clock: the
// payment PIN reset needs the SMS code and the id number on file (a session alone cannot), lifts a
// PIN lock, and limits wrong id numbers; the password reset needs the SMS code, ends every session,
// and answers the same for phones nobody owns. Every reset is in the user's audit trail.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { freshPhone, idNoOf, latestSmsCode, newUser, type TestUser, verifyTo } from './support/users.ts';

const PASSWORD = 'correct horse';
const HOUR_MS = 3600 * 1000;

describe.each(storesUnderTest())('PIN and password resets by SMS (%s)', (store) => {
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 2, 0, 0));
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
  });
  afterAll(async () => {
    await server?.close();
  });
  // Every limit forgets a phone or a user after a quiet day: each test starts from clean counts.
  beforeEach(() => clock.advance(25 * HOUR_MS));

  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const pinCode = async (user: TestUser) => {
    expect((await as(user, 'POST', '/v1/me/payment-pin/reset-code')).status).toBe(202);
    return latestSmsCode(server, user.phone);
  };
  const events = async (user: TestUser) => (await as(user, 'GET', '/v1/me/events')).body.events.map((e: { kind: string }) => e.kind);

  async function verifiedWithPin(): Promise<TestUser> {
    const user = await newUser(server, 'Reset Person');
    await verifyTo(server, user, 'II');
    expect((await as(user, 'PUT', '/v1/me/payment-pin', { payment_pin: '135790', password: PASSWORD })).status).toBe(200);
    return user;
  }

  it('resets the PIN with the SMS code and the id number, and lifts the lock', async () => {
    const user = await verifiedWithPin();
    // The session alone cannot change the PIN: five wrong current PINs lock it.
    for (let i = 0; i < 5; i++) await as(user, 'PUT', '/v1/me/payment-pin', { payment_pin: '000000', current_pin: '111111' });
    expect((await as(user, 'PUT', '/v1/me/payment-pin', { payment_pin: '000000', current_pin: '135790' })).body.code).toBe('payment_pin_locked');
    expect((await as(user, 'POST', '/v1/me/payment-pin/reset', { id_no: idNoOf(user), payment_pin: '000000' })).status).toBe(400);
    const code = await pinCode(user);
    const wrongCode = code === '999999' ? '999998' : '999999';
    const guessed = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: wrongCode, id_no: idNoOf(user), payment_pin: '000000' });
    expect(guessed).toMatchObject({ status: 403, body: { code: 'sms_code_wrong', attempts_left: '4' } });
    const reset = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: code, id_no: idNoOf(user), payment_pin: '246810' });
    expect(reset).toMatchObject({ status: 200, body: { has_payment_pin: true } });
    // The code is used up; the new PIN works at once, the lock is gone.
    expect((await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: code, id_no: idNoOf(user), payment_pin: '000000' })).body.code).toBe(
      'sms_code_expired',
    );
    expect((await as(user, 'PUT', '/v1/me/payment-pin', { payment_pin: '112233', current_pin: '246810' })).status).toBe(200);
    expect(await events(user)).toContain('payment_pin_reset');
  });

  it('refuses a PIN reset with a wrong id number, and limits them (429 with Retry-After)', async () => {
    const user = await verifiedWithPin();
    for (let i = 0; i < 3; i++) {
      const wrong = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: await pinCode(user), id_no: '110101199001011234', payment_pin: '000000' });
      expect(wrong).toMatchObject({ status: 403, body: { code: 'id_number_wrong' } });
    }
    // Three wrong id numbers: the next try waits 15 minutes, whatever code it brings.
    const limited = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: '000000', id_no: idNoOf(user), payment_pin: '000000' });
    expect(limited).toMatchObject({ status: 429, body: { code: 'too_many_attempts', retry_after: '900' } });
    // The phone had its sign-up code, one for its evidence and three for resets: the sixth waits too.
    expect((await as(user, 'POST', '/v1/me/payment-pin/reset-code')).body).toMatchObject({ code: 'too_many_attempts', retry_after: '600' });
    clock.advance(15 * 60_000);
    const reset = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: await pinCode(user), id_no: idNoOf(user), payment_pin: '000000' });
    expect(reset.status).toBe(200);
    expect(await events(user)).toContain('payment_pin_reset_refused');
  });

  it('refuses a PIN reset while no id number is on file', async () => {
    const user = await newUser(server, 'Unverified Person');
    expect((await as(user, 'PUT', '/v1/me/payment-pin', { payment_pin: '135790', password: PASSWORD })).status).toBe(200);
    const code = await pinCode(user);
    const r = await as(user, 'POST', '/v1/me/payment-pin/reset', { sms_code: code, id_no: '110101199001011234', payment_pin: '000000' });
    expect(r).toMatchObject({ status: 409, body: { code: 'id_number_not_on_file' } });
  });

  it('resets the password with the SMS code, ends every session, and answers alike for unknown phones', async () => {
    const user = await newUser(server, 'Forgetful Person');
    const stranger = freshPhone();
    const known = await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: user.phone });
    const unknown = await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: stranger });
    expect(known).toEqual({ status: 202, body: { sent: true } });
    expect(unknown).toEqual(known);
    const code = await latestSmsCode(server, user.phone);
    const reset = (body: object) => send(`${server.url}/v1/password-resets`, undefined, 'POST', body);
    expect((await reset({ phone: stranger, sms_code: code, new_password: 'a new password' })).body.code).toBe('sms_code_expired');
    expect((await reset({ phone: user.phone, sms_code: code === '123456' ? '654321' : '123456', new_password: 'a new password' })).body.code).toBe(
      'sms_code_wrong',
    );
    expect((await reset({ phone: user.phone, sms_code: code, new_password: 'a new password' })).status).toBe(204);
    expect((await as(user, 'GET', '/v1/me')).status).toBe(401);
    expect((await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: PASSWORD })).status).toBe(401);
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'a new password' });
    expect(login.status).toBe(201);
    expect(await events({ ...user, token: login.body.token })).toContain('password_reset');
    // A code lives five minutes on the clock.
    await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: user.phone });
    const late = await latestSmsCode(server, user.phone);
    clock.advance(5 * 60_000);
    expect((await reset({ phone: user.phone, sms_code: late, new_password: 'another one!' })).body.code).toBe('sms_code_expired');
  });

  it('limits reset codes per phone, known or not, alike', async () => {
    const user = await newUser(server, 'Flooded Person');
    const stranger = freshPhone();
    // The sign-up code counts for the known phone.
    for (let i = 0; i < 4; i++) expect((await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: user.phone })).status).toBe(202);
    for (let i = 0; i < 4; i++) expect((await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: stranger })).status).toBe(202);
    const known = await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: user.phone });
    expect(known).toMatchObject({ status: 429, body: { retry_after: '600' } });
    expect((await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: stranger })).status).toBe(202);
    expect((await send(`${server.url}/v1/password-resets/code`, undefined, 'POST', { phone: stranger })).status).toBe(429);
  });
});
