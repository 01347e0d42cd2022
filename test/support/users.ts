// Registered users for end-to-end tests: each signs up and logs in over HTTP, so its session
// token is real. Phones are unique within a run.
import { send } from './http.ts';
import type { TestServer } from './test-server.ts';

export interface TestUser {
  readonly id: string;
  readonly phone: string;
  readonly token: string;
}

let serial = 0;

/** A phone nobody else in this process has used. */
export function freshPhone(): string {
  serial += 1;
  return `139${String(process.pid % 10_000).padStart(4, '0')}${String(serial).padStart(4, '0')}`;
}

export async function newUser(server: TestServer, name = 'Test User'): Promise<TestUser> {
  const phone = freshPhone();
  const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name });
  if (reg.status !== 201) throw new Error(`registration failed: ${JSON.stringify(reg.body)}`);
  const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
  if (login.status !== 201) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { id: reg.body.user_id, phone, token: login.body.token };
}

/** A fresh session for the user (after a test moved the clock past the old one's life). */
export async function relogin(server: TestServer, user: TestUser): Promise<TestUser> {
  const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' });
  if (login.status !== 201) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { ...user, token: login.body.token };
}

/** `count` users, registered a few at a time (password hashing is the slow part). */
export async function newUsers(server: TestServer, count: number): Promise<TestUser[]> {
  const users: TestUser[] = [];
  while (users.length < count) {
    const wave = Math.min(8, count - users.length);
    users.push(...(await Promise.all(Array.from({ length: wave }, () => newUser(server)))));
  }
  return users;
}

/** Verified (level II) and funded with `amount` CNY by an operator adjustment. */
export async function fund(server: TestServer, user: TestUser, amount: string): Promise<void> {
  await server.call('POST', `/v1/admin/users/${user.id}/verifications`, { level: 'II', reference: 'desk' });
  const credited = await server.call('POST', '/v1/admin/adjustments', {
    user_id: user.id,
    amount,
    currency: 'CNY',
    direction: 'credit',
    reason: 'test funds',
    request_id: `fund-${user.id}-${amount.replace('.', '_')}`,
  });
  if (credited.status >= 300) throw new Error(`funding failed: ${JSON.stringify(credited.body)}`);
}
