// Registered users for end-to-end tests: each signs up and logs in over HTTP, so its session
// token is real. Phones are unique within a run.
import { createHash } from 'node:crypto';
import { send } from './http.ts';
import type { TestServer } from './test-server.ts';

export interface TestUser {
  readonly id: string;
  readonly phone: string;
  readonly token: string;
  /** The name registered with (the identity authority must know the person by it). */
  readonly name?: string;
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
  return { id: reg.body.user_id, phone, token: login.body.token, name };
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

let idSerial = 0;

/** An 18-character id number no other test person in this process has. */
export function freshIdNo(): string {
  idSerial += 1;
  return `9${String(process.pid % 1_000_000).padStart(6, '0')}${String(idSerial).padStart(11, '0')}`;
}

/** The identity authority learns of a person (by default with a document valid for decades and a face that matches). */
export async function enrollPerson(
  server: TestServer,
  person: { name: string; idNo: string; validUntil?: string; face?: 'match' | 'no_match'; revoked?: boolean },
): Promise<void> {
  const body = { id_no: person.idNo, name: person.name, document_valid_until: person.validUntil ?? '2099-12-31', face: person.face ?? 'match' };
  const r = await send(`${server.identitySim.url}/sim/people`, undefined, 'POST', { ...body, document_revoked: person.revoked ?? false });
  if (r.status !== 201) throw new Error(`enrolling failed: ${JSON.stringify(r.body)}`);
}

/** The code in the latest SMS the carrier delivered to `phone`. */
export async function latestSmsCode(server: TestServer, phone: string): Promise<string> {
  const r = await send(`${server.identitySim.url}/sim/sms?phone=${phone}`, undefined, 'GET');
  const code = /\b(\d{6})\b/.exec(r.body.messages[0]?.text ?? '')?.[1];
  if (!code) throw new Error(`no SMS code was sent to ${phone}`);
  return code;
}

/** The id number a test user's evidence names: one per user, derived from the user's id. */
export function idNoOf(user: { id: string }): string {
  const digits = BigInt(`0x${createHash('sha256').update(user.id).digest('hex')}`)
    .toString()
    .slice(0, 17);
  return `8${digits}`;
}

type RemoteEvidenceSource = 'carrier' | 'public_security' | 'id_document' | 'face';

/**
 * Shows, for each source, evidence the source accepts: a fresh SMS code for the phone, and the
 * user's id number (idNoOf) to the identity authority, which learns the person first under the
 * name the user registered with. Returns the level after the last verdict.
 */
export async function showEvidence(server: TestServer, user: TestUser, sources: readonly RemoteEvidenceSource[]): Promise<string> {
  const idNo = idNoOf(user);
  await enrollPerson(server, { name: user.name ?? 'Test User', idNo });
  let level = '';
  for (const source of sources) {
    const evidence =
      source === 'carrier'
        ? { source, sms_code: await freshPhoneCode(server, user) }
        : source === 'id_document'
          ? { source, id_no: idNo, valid_until: '2099-12-31' }
          : source === 'face'
            ? { source, id_no: idNo, photo: 'c2VsZmll' }
            : { source, id_no: idNo };
    const r = await send(`${server.url}/v1/me/verifications`, user.token, 'POST', evidence);
    if (r.status !== 200 || r.body.verdict.result !== 'accepted') throw new Error(`${source} evidence was not accepted: ${JSON.stringify(r.body)}`);
    level = r.body.level;
  }
  return level;
}

/**
 * Brings the user to `level` through evidence its sources accept: I by the phone's SMS code, II
 * also by the id number and the document (see showEvidence); III, which needs five sources and
 * so a bank card, by an operator's in-person check.
 */
export async function verifyTo(server: TestServer, user: TestUser, level: 'I' | 'II' | 'III'): Promise<void> {
  if (level === 'III') {
    const r = await server.call('POST', `/v1/admin/users/${user.id}/verifications`, { level: 'III', reference: 'desk' });
    if (r.status >= 300) throw new Error(`in-person check failed: ${JSON.stringify(r.body)}`);
    return;
  }
  await showEvidence(server, user, level === 'I' ? ['carrier'] : ['carrier', 'public_security', 'id_document']);
}

/** A phone code sent now (the sign-up code may have been used or expired on the test clock). */
async function freshPhoneCode(server: TestServer, user: TestUser): Promise<string> {
  const sent = await send(`${server.url}/v1/me/phone/code`, user.token, 'POST');
  if (sent.status !== 202) throw new Error(`no phone code: ${JSON.stringify(sent.body)}`);
  return latestSmsCode(server, user.phone);
}
