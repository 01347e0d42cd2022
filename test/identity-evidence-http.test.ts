// Real-name evidence checked by its source, over HTTP on both stores: made-up evidence is refused
// and raises nothing; the carrier's SMS code, the identity authority (register, document, face)
// and the bank (a card bound in the user's own name) each give their verdict, and each verdict is
// audited; one id number per user and per person. SMS codes at their edges on the test clock.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/index.ts';
import { CARD_A, CARD_B } from '../sim/bank/test-support.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { enrollPerson, freshIdNo, idNoOf, latestSmsCode, newUser, type TestUser, verifyTo } from './support/users.ts';

const HOUR_MS = 3600 * 1000;

describe.each(storesUnderTest())('identity evidence checked by its source (%s)', (store) => {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 2, 0, 0));
  let server: TestServer;
  let bank: RunningBankSimulator;

  beforeAll(async () => {
    bank = await startBankSimulator({ clock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 2000 });
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });
  // The SMS and evidence limits forget a phone after a quiet hour or day: each test starts clean.
  beforeEach(() => clock.advance(25 * HOUR_MS));

  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const show = (user: TestUser, evidence: object) => as(user, 'POST', '/v1/me/verifications', evidence);
  const level = async (user: TestUser) => (await as(user, 'GET', '/v1/me')).body.level;

  it('refuses made-up evidence: references are not evidence, and unknown people or wrong names are refused', async () => {
    const user = await newUser(server, 'Wang Fang');
    for (const source of ['bank_card', 'id_document', 'carrier', 'face', 'public_security']) {
      expect((await show(user, { source, reference: `made-up-${source}` })).status).toBe(400);
    }
    const unknown = await show(user, { source: 'public_security', id_no: freshIdNo() });
    expect(unknown).toMatchObject({
      status: 200,
      body: { level: 'none', verdict: { source: 'public_security', result: 'refused', reason: 'not_in_register' } },
    });
    const idNo = freshIdNo();
    await enrollPerson(server, { name: 'Someone Else', idNo });
    expect((await show(user, { source: 'public_security', id_no: idNo })).body.verdict).toMatchObject({ result: 'refused', reason: 'name_mismatch' });
    expect((await show(user, { source: 'carrier', sms_code: '000000' })).body.verdict.result).toBe('refused');
    expect((await show(user, { source: 'bank_card' })).body.verdict).toMatchObject({ result: 'refused', reason: 'no_card_bound_in_your_name' });
    expect(await level(user)).toBe('none');
    expect((await as(user, 'GET', '/v1/me')).body.verifications).toEqual([]);
  });

  it('accepts what the sources confirm: the phone by its code, the register, the document, the face; levels follow', async () => {
    const user = await newUser(server, 'Zhao Min');
    const idNo = freshIdNo();
    await enrollPerson(server, { name: 'Zhao Min', idNo, validUntil: '2030-01-01' });
    // The code sent at sign-up confirms the phone (the carrier).
    const phone = await show(user, { source: 'carrier', sms_code: await latestSmsCode(server, user.phone) });
    expect(phone.body).toMatchObject({ level: 'I', verdict: { source: 'carrier', result: 'accepted' } });
    expect((await show(user, { source: 'public_security', id_no: idNo })).body).toMatchObject({ level: 'I', verdict: { result: 'accepted' } });
    expect((await show(user, { source: 'id_document', id_no: idNo, valid_until: '2031-01-01' })).body.verdict).toMatchObject({ reason: 'document_mismatch' });
    const document = await show(user, { source: 'id_document', id_no: idNo, valid_until: '2030-01-01' });
    expect(document.body).toMatchObject({ level: 'II', verdict: { source: 'id_document', result: 'accepted' } });
    expect((await show(user, { source: 'face', id_no: idNo, photo: 'c2VsZmll' })).body).toMatchObject({ level: 'II', verdict: { result: 'accepted' } });
    expect(document.body.verifications.map((v: { source: string }) => v.source).sort()).toEqual(['carrier', 'id_document', 'public_security']);
  });

  it('refuses an expired or revoked document and a face that does not match', async () => {
    const user = await newUser(server, 'Sun Li');
    const idNo = freshIdNo();
    const today = new Date(clock.now()).toISOString().slice(0, 10);
    const yesterday = new Date(clock.now() - 24 * HOUR_MS).toISOString().slice(0, 10);
    await enrollPerson(server, { name: 'Sun Li', idNo, validUntil: yesterday, face: 'no_match' });
    expect((await show(user, { source: 'id_document', id_no: idNo, valid_until: yesterday })).body.verdict).toMatchObject({ reason: 'document_expired' });
    expect((await show(user, { source: 'face', id_no: idNo, photo: 'bm90IG1l' })).body.verdict).toMatchObject({ result: 'refused', reason: 'face_no_match' });
    const revoked = freshIdNo();
    await enrollPerson(server, { name: 'Sun Li', idNo: revoked, validUntil: today, revoked: true });
    expect((await show(user, { source: 'id_document', id_no: revoked, valid_until: today })).body.verdict).toMatchObject({ reason: 'document_revoked' });
    expect(await level(user)).toBe('none');
  });

  it('keeps one id number per user and one user per id number', async () => {
    const first = await newUser(server, 'Qian Hui');
    await verifyTo(server, first, 'II');
    const idNo = idNoOf(first);
    const other = freshIdNo();
    await enrollPerson(server, { name: 'Qian Hui', idNo: other });
    expect((await show(first, { source: 'face', id_no: other, photo: 'eA' })).body.verdict).toMatchObject({ result: 'refused', reason: 'id_number_differs' });
    const second = await newUser(server, 'Qian Hui');
    expect((await show(second, { source: 'public_security', id_no: idNo })).body.verdict).toMatchObject({ result: 'refused', reason: 'id_number_in_use' });
  });

  it('takes a card as evidence only when the bank confirmed the user as its holder', async () => {
    const user = await newUser(server, 'Li Lei');
    // The bank refuses a holder it does not know, so a made-up name and id number bind nothing.
    const refused = await as(user, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_B, name: 'Li Lei', id_no: '110101199001019999', phone: user.phone });
    expect(refused).toMatchObject({ status: 422, body: { code: 'bank_refused', bank_code: 'holder_mismatch' } });
    const started = await as(user, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_A, name: 'Li Lei', id_no: '110101199001011234', phone: user.phone });
    expect(started.status).toBe(200);
    const sms = (await (await fetch(`${bank.url}/sim/sms?phone=${user.phone}`)).json()) as { messages: { code: string }[] };
    expect((await as(user, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.messages[0].code })).status).toBe(200);
    const me = await show(user, { source: 'bank_card' });
    expect(me.body).toMatchObject({ level: 'I', verdict: { source: 'bank_card', result: 'accepted', reference: `ICBC:${started.body.card_id}` } });
    // With the four other sources, five in all: level III, which may invest.
    await enrollPerson(server, { name: 'Li Lei', idNo: '110101199001011234' });
    const evidence = [
      { source: 'carrier', sms_code: await latestSmsCode(server, user.phone) },
      { source: 'public_security', id_no: '110101199001011234' },
      { source: 'id_document', id_no: '110101199001011234', valid_until: '2099-12-31' },
      { source: 'face', id_no: '110101199001011234', photo: 'bGkgbGVp' },
    ];
    const levels = [];
    for (const e of evidence) levels.push((await show(user, e)).body.level);
    expect(levels).toEqual(['I', 'II', 'II', 'III']);
    expect((await as(user, 'GET', '/v1/me')).body.may_invest).toBe(true);
  });

  it('binds no evidence from a card in another name', async () => {
    const user = await newUser(server, 'Han Meimei');
    const started = await as(user, 'POST', '/v1/cards', { bank: 'CCB', card_no: CARD_B, name: 'Li Lei', id_no: '110101199001011234', phone: user.phone });
    const sms = (await (await fetch(`${bank.url}/sim/sms?phone=${user.phone}`)).json()) as { messages: { code: string }[] };
    expect((await as(user, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.messages[0].code })).status).toBe(200);
    expect((await show(user, { source: 'bank_card' })).body).toMatchObject({ level: 'none', verdict: { result: 'refused' } });
  });

  it('audits every verdict, accepted and refused', async () => {
    const user = await newUser(server, 'Audit Person');
    await show(user, { source: 'public_security', id_no: freshIdNo() });
    await verifyTo(server, user, 'I');
    await verifyTo(server, user, 'I');
    const log = await server.call('GET', '/v1/admin/audit?limit=1000');
    const mine = log.body.entries.filter((e: { kind: string; subject: string }) => e.kind === 'identity.verification' && e.subject === user.id);
    const details = mine.map((e: { detail: string }) => e.detail);
    expect(details.map((d: string) => d.split(',')[0])).toEqual(['refused public_security: not_in_register', 'accepted carrier', 'accepted carrier']);
    expect(details[2]).toContain('(the source was on file already)');
  });

  it('limits SMS codes: attempts per code, expiry on the clock, codes per phone (429 with Retry-After)', async () => {
    const user = await newUser(server, 'Code Person');
    const code = await latestSmsCode(server, user.phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 0; left--) {
      expect((await show(user, { source: 'carrier', sms_code: wrong })).body.verdict).toMatchObject({ result: 'refused', reason: 'sms_code_wrong' });
    }
    // Five wrong guesses used the code up: the right one no longer works.
    expect((await show(user, { source: 'carrier', sms_code: code })).body.verdict).toMatchObject({ reason: 'sms_code_expired' });
    // Sign-up sent one code; four more go out at once, the sixth waits.
    for (let i = 0; i < 4; i++) expect((await as(user, 'POST', '/v1/me/phone/code')).status).toBe(202);
    const limited = await send(`${server.url}/v1/me/phone/code`, user.token, 'POST');
    expect(limited).toMatchObject({ status: 429, body: { code: 'too_many_attempts', retry_after: '600' } });
    clock.advance(600_000);
    expect((await as(user, 'POST', '/v1/me/phone/code')).status).toBe(202);
    // A code lives five minutes on the clock.
    const fresh = await latestSmsCode(server, user.phone);
    clock.advance(5 * 60_000);
    expect((await show(user, { source: 'carrier', sms_code: fresh })).body.verdict).toMatchObject({ reason: 'sms_code_expired' });
    expect(await level(user)).toBe('none');
  });

  it('limits evidence per user, so photos cannot be tried without end', async () => {
    const user = await newUser(server, 'Photo Person');
    const idNo = freshIdNo();
    await enrollPerson(server, { name: 'Photo Person', idNo, face: 'no_match' });
    for (let i = 0; i < 10; i++) expect((await show(user, { source: 'face', id_no: idNo, photo: `cGhvdG8${i}` })).status).toBe(200);
    expect((await show(user, { source: 'face', id_no: idNo, photo: 'cGhvdG9a' })).status).toBe(429);
  });
});
