// End-to-end tests of cards, top-ups and withdrawals over HTTP against the bank simulator on a real
// port: binding by SMS, success, bank failure, a late answer left pending then resolved exactly once,
// replays, ownership and bad input. SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A, CARD_B, CARD_C } from '../sim/bank/test-support.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send } from './support/http.ts';

interface TestUser {
  id: string;
  phone: string;
  token: string;
}

describe.each(storesUnderTest())('cards, top-ups and withdrawals over HTTP (%s)', (store) => {
  let bank: RunningBankSimulator;
  let server: TestServer;
  let seq = 0;
  let alice: TestUser;
  let bob: TestUser;
  let cardId = '';

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, bankUrl: bank.url, bankTimeoutMs: 400 });
    alice = await newUser();
    bob = await newUser();
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  const as = (user: TestUser | undefined, method: string, route: string, body?: unknown) => send(server.url + route, user?.token, method, body);
  const sim = (method: string, route: string, body?: unknown) => send(bank.url + route, undefined, method, body);
  const balance = async (user: TestUser) => (await as(user, 'GET', '/v1/wallet')).body.balance;
  const topup = (user: TestUser, amount: string, requestId: string, card = cardId) =>
    as(user, 'POST', '/v1/wallet/topups', { card_id: card, amount, currency: 'CNY', request_id: requestId });
  const withdraw = (user: TestUser, amount: string, requestId: string, card = cardId) =>
    as(user, 'POST', '/v1/wallet/withdrawals', { card_id: card, amount, currency: 'CNY', request_id: requestId });

  async function newUser(): Promise<TestUser> {
    seq += 1;
    const phone = `137${String(Date.now() % 100000).padStart(5, '0')}${String(seq).padStart(3, '0')}`.slice(0, 11);
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Card User' });
    expect(reg.status).toBe(201);
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    return { id: reg.body.user_id, phone, token: login.body.token };
  }

  async function bindCard(user: TestUser, cardNo: string, bankCode = 'ICBC'): Promise<string> {
    const started = await as(user, 'POST', '/v1/cards', { bank: bankCode, card_no: cardNo, name: 'Li Lei', id_no: '110101199001011234', phone: user.phone });
    expect(started.status, JSON.stringify(started.body)).toBe(200);
    expect(started.body.status).toBe('sms_sent');
    const sms = await sim('GET', `/sim/sms?phone=${user.phone}`);
    const confirmed = await as(user, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages[0].code });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body).toEqual({ card_id: started.body.card_id, bank: bankCode, last4: cardNo.slice(-4), status: 'bound' });
    return started.body.card_id;
  }

  it('binds a card with the SMS code and lists only its last four digits', async () => {
    cardId = await bindCard(alice, CARD_A);
    const list = await as(alice, 'GET', '/v1/cards');
    expect(list.body.cards).toEqual([
      { card_id: cardId, bank: 'ICBC', last4: CARD_A.slice(-4), status: 'bound', channels: [{ bank: 'ICBC', status: 'bound', fee_bps: 0 }] },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(CARD_A);
    const wrong = await as(bob, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_B, name: 'Han Meimei', id_no: '110101199001011235', phone: bob.phone });
    // The bank has no customer of that name and id number: refused before any SMS is sent.
    expect(wrong).toMatchObject({ status: 422, body: { code: 'bank_refused', bank_code: 'holder_mismatch' } });
  });

  it('tops up from the card and the balance rises; a replay changes nothing', async () => {
    const first = await topup(alice, '100.00', 'tup-1');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ status: 'succeeded', balance: '100.00' });
    const again = await topup(alice, '100.00', 'tup-1');
    expect(again.body).toMatchObject({ topup_id: first.body.topup_id, status: 'succeeded', balance: '100.00' });
    const reused = await topup(alice, '5.00', 'tup-1');
    expect([reused.status, reused.body.code]).toEqual([409, 'request_id_reused']);
  });

  it('a bank that declines fails the top-up and leaves the balance unchanged', async () => {
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 1 });
    const failed = await topup(alice, '50.00', 'tup-fail');
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 0 });
    expect(failed.body).toMatchObject({ status: 'failed' });
    expect(await balance(alice)).toBe('100.00');
    expect((await topup(alice, '50.00', 'tup-fail')).body.status).toBe('failed');
  });

  it('a late answer leaves the top-up pending; resolve credits it exactly once', async () => {
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 1, late_answer_ms: 1500 });
    const late = await topup(alice, '20.00', 'tup-late');
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 0 });
    expect(late.body).toMatchObject({ status: 'pending' });
    expect(await balance(alice)).toBe('100.00');
    expect((await topup(alice, '20.00', 'tup-late')).body.status).toBe('pending');
    const resolved = await server.call('POST', '/v1/admin/channel-operations/resolve');
    expect(resolved.body).toEqual({ resolved: 1, pending: 0 });
    expect((await server.call('POST', '/v1/admin/channel-operations/resolve')).body).toEqual({ resolved: 0, pending: 0 });
    expect((await topup(alice, '20.00', 'tup-late')).body).toMatchObject({ status: 'succeeded', balance: '120.00' });
    expect(await balance(alice)).toBe('120.00');
  });

  it('withdraws to the card, never below zero', async () => {
    const out = await withdraw(alice, '30.00', 'wdr-1');
    expect(out.body).toMatchObject({ status: 'succeeded', balance: '90.00' });
    expect((await withdraw(alice, '30.00', 'wdr-1')).body).toMatchObject({ withdrawal_id: out.body.withdrawal_id, status: 'succeeded' });
    const tooMuch = await withdraw(alice, '90.01', 'wdr-2');
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'insufficient_funds']);
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 1 });
    const declined = await withdraw(alice, '10.00', 'wdr-3');
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 0 });
    expect(declined.body.status).toBe('failed');
    expect(await balance(alice)).toBe('90.00');
  });

  it("refuses another user's card on every route", async () => {
    expect((await topup(bob, '1.00', 'steal-1')).status).toBe(404);
    expect((await withdraw(bob, '1.00', 'steal-2')).body.code).toBe('card_not_found');
    expect((await as(bob, 'POST', `/v1/cards/${cardId}/confirm`, { sms_code: '123456' })).status).toBe(404);
    expect(JSON.stringify((await as(bob, 'GET', '/v1/cards')).body)).not.toContain(cardId);
    expect((await as(undefined, 'GET', '/v1/cards')).status).toBe(401);
  });

  it('answers bad input with a 4xx and a code', async () => {
    const bad = [
      await topup(alice, 'abc', 'bad-1'),
      await topup(alice, '0', 'bad-2'),
      await topup(alice, '-1.00', 'bad-3'),
      await topup(alice, '1.001', 'bad-4'),
      await as(alice, 'POST', '/v1/wallet/topups', { card_id: cardId, amount: '1.00', currency: 'USD', request_id: 'bad-5' }),
      await as(alice, 'POST', '/v1/wallet/topups', { card_id: cardId, amount: 1, currency: 'CNY', request_id: 'bad-6' }),
      await as(alice, 'POST', '/v1/cards', { bank: 'ICBC', card_no: 'not-a-card', name: 'X', id_no: '110101199001011234', phone: alice.phone }),
      await as(alice, 'POST', `/v1/cards/${cardId}/confirm`, {}),
      await topup(alice, '1.00', 'bad-7', 'crd_nope'),
    ];
    for (const r of bad) {
      expect(r.status, JSON.stringify(r.body)).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      expect(typeof r.body.code).toBe('string');
    }
    const unbound = await as(alice, 'POST', '/v1/cards', { bank: 'CCB', card_no: CARD_C, name: 'Li Lei', id_no: '110101199001011234', phone: alice.phone });
    expect(unbound.body.status, JSON.stringify(unbound.body)).toBe('sms_sent');
    const r = await topup(alice, '1.00', 'bad-8', unbound.body.card_id);
    expect([r.status, r.body.code]).toEqual([409, 'card_not_bound']);
  });
});
