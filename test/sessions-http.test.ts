// Sessions over HTTP on both stores, their ends on the test clock: 12 hours idle, 7 days in any
// case; refresh swaps the token; logout and revoke end a session at once; a password change needs
// the old password and ends every other session; each step is in the user's audit trail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { newUser as registerUser } from './support/users.ts';

const PASSWORD = 'correct horse';
const HOUR_MS = 3600 * 1000;

describe.each(storesUnderTest())('sessions (%s)', (store) => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
  });
  afterAll(async () => {
    await server?.close();
  });

  const as = (token: string | undefined, method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);
  const login = (phone: string, password = PASSWORD) => as(undefined, 'POST', '/v1/sessions', { phone, password });
  const me = async (token: string) => (await as(token, 'GET', '/v1/me')).status;

  const newUser = () => registerUser(server, 'Session User');

  it('ends a session after 12 hours without use, and 7 days after login in any case', async () => {
    const user = await newUser();
    const session = await login(user.phone);
    expect(session.body).toMatchObject({ user_id: user.id, session_id: expect.stringMatching(/^ses_/) });
    expect(Date.parse(session.body.expires_at)).toBe(clock.now() + 12 * HOUR_MS);
    expect(Date.parse(session.body.absolute_expires_at)).toBe(clock.now() + 7 * 24 * HOUR_MS);
    const idle = session.body.token;
    clock.advance(12 * HOUR_MS - 1);
    expect(await me(idle)).toBe(200);
    clock.advance(12 * HOUR_MS - 1);
    expect(await me(idle)).toBe(200);
    clock.advance(12 * HOUR_MS);
    expect(await me(idle)).toBe(401);

    const busy = (await login(user.phone)).body;
    const end = Date.parse(busy.absolute_expires_at);
    while (clock.now() + 6 * HOUR_MS < end) {
      clock.advance(6 * HOUR_MS);
      expect(await me(busy.token)).toBe(200);
    }
    clock.set(end - 1);
    expect(await me(busy.token)).toBe(200);
    clock.advance(1);
    expect(await me(busy.token)).toBe(401);
  });

  it('refreshes: a new token, the old one refused, the 7-day end unchanged', async () => {
    const user = await newUser();
    const first = (await login(user.phone)).body;
    clock.advance(HOUR_MS);
    const refreshed = await as(first.token, 'POST', '/v1/sessions/current/refresh');
    expect(refreshed.status).toBe(201);
    expect(refreshed.body).toMatchObject({ session_id: first.session_id, absolute_expires_at: first.absolute_expires_at });
    expect(refreshed.body.token).not.toBe(first.token);
    expect(Date.parse(refreshed.body.expires_at)).toBe(clock.now() + 12 * HOUR_MS);
    expect(await me(first.token)).toBe(401);
    expect(await me(refreshed.body.token)).toBe(200);
    expect((await as(first.token, 'POST', '/v1/sessions/current/refresh')).status).toBe(401);
  });

  it('logs out for real: the token stops working', async () => {
    const user = await newUser();
    const response = await as(user.token, 'DELETE', '/v1/sessions/current');
    expect(response.status).toBe(204);
    expect(await me(user.token)).toBe(401);
    expect((await as(user.token, 'DELETE', '/v1/sessions/current')).status).toBe(401);
  });

  it('lists my live sessions and revokes one, never another user’s', async () => {
    const user = await newUser();
    const other = (await login(user.phone)).body;
    const list = await as(user.token, 'GET', '/v1/me/sessions');
    expect(list.status).toBe(200);
    expect(list.body.sessions).toHaveLength(2);
    expect(list.body.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.body.sessions[0]).toMatchObject({ session_id: other.session_id, current: false, address: '127.0.0.1' });
    expect(JSON.stringify(list.body)).not.toContain(other.token);

    const stranger = await newUser();
    expect(await as(stranger.token, 'DELETE', `/v1/me/sessions/${other.session_id}`)).toMatchObject({ status: 404, body: { code: 'session_not_found' } });
    expect(await me(other.token)).toBe(200);
    expect((await as(user.token, 'DELETE', `/v1/me/sessions/${other.session_id}`)).status).toBe(204);
    expect(await me(other.token)).toBe(401);
    expect((await as(user.token, 'GET', '/v1/me/sessions')).body.sessions).toHaveLength(1);
    expect((await as(user.token, 'DELETE', '/v1/me/sessions/not-an-id')).status).toBe(400);
  });

  it('changes the password with the old one and ends every other session', async () => {
    const user = await newUser();
    const elsewhere = (await login(user.phone)).body.token;
    const change = (old_password: string) => as(user.token, 'POST', '/v1/me/password', { old_password, new_password: 'battery staple' });
    expect(await change('not it')).toMatchObject({ status: 403, body: { code: 'password_wrong' } });
    expect(await me(elsewhere)).toBe(200);
    expect((await change(PASSWORD)).status).toBe(204);
    expect(await me(elsewhere)).toBe(401);
    expect(await me(user.token)).toBe(200);
    expect((await login(user.phone)).status).toBe(401);
    expect((await login(user.phone, 'battery staple')).status).toBe(201);
    expect((await as(user.token, 'POST', '/v1/me/password', { old_password: 'battery staple', new_password: 'short' })).status).toBe(400);
  });

  it('keeps every step in the user’s audit trail', async () => {
    const user = await newUser();
    expect((await login(user.phone, 'wrong one')).status).toBe(401);
    const second = (await login(user.phone)).body;
    await as(second.token, 'DELETE', '/v1/sessions/current');
    await as(user.token, 'POST', '/v1/sessions/current/refresh');
    const events = await as(undefined, 'GET', '/v1/me/events');
    expect(events.status).toBe(401);
    const fresh = (await login(user.phone)).body.token;
    const kinds = (await as(fresh, 'GET', '/v1/me/events')).body.events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['login', 'login_failed', 'login', 'logout', 'session_refreshed', 'login']);
  });
});
