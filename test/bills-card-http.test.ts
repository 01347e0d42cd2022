// Bill payments from a bound card over HTTP, against the bank and biller simulators on real ports:
// the money comes in from the card like a top-up and is held for the biller; a confirmed bill
// keeps it, a refused one is voided and withdrawn back to the same card (the bank simulator's card
// balance shows it). The ledger audit is clean after. SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { type BillerSimApp, startBillerSimulator } from '../sim/biller/server.ts';
import { systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { newUser, relogin, type TestUser, verifyTo } from './support/users.ts';

describe.each(storesUnderTest())('bill payments from a card (%s)', (store) => {
  let bank: RunningBankSimulator;
  let billers: BillerSimApp & { url: string };
  let server: TestServer;
  let payer: TestUser;
  let cardId = '';
  const as = (method: string, route: string, body?: unknown) => send(server.url + route, payer.token, method, body);
  const sim = (method: string, route: string, body?: unknown) => send(bank.url + route, undefined, method, body);
  const cardBalance = async () => (await sim('POST', '/sim/cards/balance', { card_no: CARD_A })).body.balance as string;
  const payByCard = (billKey: string, amount: string, requestId: string) =>
    as('POST', '/v1/bill-payments', { charge_inst: 'HZ_WATER', bill_key: billKey, amount, currency: 'CNY', funding: cardId, request_id: requestId });
  const advance = async (seconds: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds })).status).toBe(200);
    payer = await relogin(server, payer);
  };

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    billers = await startBillerSimulator({ port: 0, seed: 3, clock: { now: () => server.app.clock.now() } });
    server = await startTestServer({ store, sandbox: true, bankUrl: bank.url, bankTimeoutMs: 400, billerUrl: billers.url });
    payer = await newUser(server, 'Li Lei');
    await verifyTo(server, payer, 'I');
    const started = await as('POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_A, name: 'Li Lei', id_no: '110101199001011234', phone: payer.phone });
    const sms = await sim('GET', `/sim/sms?phone=${payer.phone}`);
    const confirmed = await as('POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages[0].code });
    expect(confirmed.body.status, JSON.stringify(confirmed.body)).toBe('bound');
    cardId = started.body.card_id;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await billers?.close();
    await bank?.close();
  });

  it('pays a bill from the card and keeps the money when the biller confirms', async () => {
    const before = Number(await cardBalance());
    const paid = await payByCard('1000000001', '128.50', `card-ok-${store}`);
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(before - Number(await cardBalance())).toBeCloseTo(128.5, 2);
    await advance(5);
    expect((await as('GET', `/v1/bill-payments/${paid.body.payment_id}`)).body).toMatchObject({ status: 'completed', funding: cardId });
    expect((await as('GET', '/v1/wallet')).body).toMatchObject({ balance: '0.00', available: '0.00' });
  });

  it('returns a refused payment to the card it came from', async () => {
    const before = await cardBalance();
    const paid = await payByCard('1000000003', '45.00', `card-refused-${store}`);
    expect(Number(before) - Number(await cardBalance())).toBeCloseTo(45, 2);
    await advance(5);
    expect((await as('GET', `/v1/bill-payments/${paid.body.payment_id}`)).body.status).toBe('refunded');
    expect(await cardBalance()).toBe(before);
    expect((await as('GET', '/v1/wallet')).body.balance).toBe('0.00');
    const someoneElses = await as('POST', '/v1/bill-payments', {
      charge_inst: 'HZ_WATER',
      bill_key: '1000000001',
      amount: '1.00',
      currency: 'CNY',
      funding: 'crd_nope',
      request_id: `card-x-${store}`,
    });
    expect(someoneElses.status).toBeGreaterThanOrEqual(400);
    expect(someoneElses.status).toBeLessThan(500);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
