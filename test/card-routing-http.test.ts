// Channel routing end to end, over HTTP against the bank simulator: one card bound at two banks is
// one card with two channels; payments go to the cheaper of equally healthy banks, a bank's own
// declines are retried once on the other channel (with a new request id) and then avoided, an
// unknown answer or a decline that is the card's fault is never retried elsewhere, and the day
// still reconciles line by line at both banks. SQLite always; PostgreSQL with DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { opIdOf } from '../src/modules/cards/card-payments.ts';
import { retryRequestId } from '../src/modules/cards/channel-choice.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A, CARD_B } from '../sim/bank/test-support.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send, type Reply } from './support/http.ts';

const D = '2026-03-12';
/** 10:00 in Shanghai on D. */
const T0 = Date.UTC(2026, 2, 12, 2, 0, 0);
const HOUR = 3_600_000;
/** ICBC is the cheaper channel, so it is tried first while both are healthy. */
const FEES = [
  { bank: 'ICBC', feeBps: 10 },
  { bank: 'CCB', feeBps: 20 },
];

describe.each(storesUnderTest())('card payments routed among channels (%s)', (store) => {
  const clock = new ManualClock(T0);
  let bank: RunningBankSimulator;
  let server: TestServer;
  let user = { id: '', token: '', phone: '' };
  let cardId = '';

  const as = (method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const sim = (method: string, route: string, body?: unknown) => send(bank.url + route, undefined, method, body);
  const configure = (code: string, settings: object) => sim('POST', `/sim/banks/${code}/config`, settings);
  const balance = async () => (await as('GET', '/v1/wallet')).body.balance;
  /** Sessions end after 12 idle hours: after the clock jumps past that, the user logs in again. */
  const advanceAndLogIn = async (ms: number) => {
    clock.advance(ms);
    user.token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' })).body.token;
  };
  const money = (kind: 'topups' | 'withdrawals', amount: string, requestId: string, card = cardId) =>
    as('POST', `/v1/wallet/${kind}`, { card_id: card, amount, currency: 'CNY', request_id: requestId });
  const operation = (opId: string) => server.app.cardPayments.operation(opId);
  const topupOp = (requestId: string) => operation(opIdOf('topup', user.id, requestId));

  async function startBinding(cardNo: string, bankCode: string): Promise<Reply> {
    return as('POST', '/v1/cards', { bank: bankCode, card_no: cardNo, name: 'Li Lei', id_no: '110101199001011234', phone: user.phone });
  }

  async function bind(cardNo: string, bankCode: string): Promise<string> {
    const started = await startBinding(cardNo, bankCode);
    expect(started.body, JSON.stringify(started.body)).toMatchObject({ bank: bankCode, status: 'sms_sent' });
    const sms = await sim('GET', `/sim/sms?phone=${user.phone}`);
    const confirmed = await as('POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages[0].code });
    expect(confirmed.body).toEqual({ card_id: started.body.card_id, bank: bankCode, last4: cardNo.slice(-4), status: 'bound' });
    return started.body.card_id;
  }

  beforeAll(async () => {
    bank = await startBankSimulator({ clock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 300, channelFees: FEES });
    const phone = `136${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Route User' });
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    user = { id: reg.body.user_id, token: login.body.token, phone };
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  it('binding the same card at a second bank adds a channel to the same card', async () => {
    cardId = await bind(CARD_A, 'ICBC');
    clock.advance(60_000);
    expect(await bind(CARD_A, 'CCB')).toBe(cardId);
    const again = await startBinding(CARD_A, 'ICBC');
    expect(again.body).toEqual({ card_id: cardId, bank: 'ICBC', last4: CARD_A.slice(-4), status: 'bound' });
    const list = await as('GET', '/v1/cards');
    expect(list.body.cards).toEqual([
      {
        card_id: cardId,
        bank: 'ICBC',
        last4: CARD_A.slice(-4),
        status: 'bound',
        channels: [
          { bank: 'ICBC', status: 'bound', fee_bps: 10 },
          { bank: 'CCB', status: 'bound', fee_bps: 20 },
        ],
      },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(CARD_A);
    for (const table of ['cards', 'card_channels']) {
      const rows = await server.app.sql.all(`SELECT * FROM ${table}`);
      expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(CARD_A);
    }
  });

  it('cost decides between equally healthy channels', async () => {
    const up = await money('topups', '100.00', 'r-cheap');
    expect(up.body).toMatchObject({ status: 'succeeded', balance: '100.00' });
    expect(await operation(up.body.topup_id)).toMatchObject({ bank: 'ICBC', status: 'succeeded' });
    const out = await money('withdrawals', '10.00', 'w-cheap');
    expect(out.body).toMatchObject({ status: 'succeeded', balance: '90.00' });
    expect(await operation(out.body.withdrawal_id)).toMatchObject({ bank: 'ICBC', status: 'succeeded' });
  });

  it("a bank's own declines are retried once on the other channel, which the router then prefers", async () => {
    await configure('ICBC', { failure_rate: 1 });
    const up = await money('topups', '50.00', 'r-retry');
    expect(up.body).toMatchObject({ status: 'succeeded', balance: '140.00' });
    expect(await topupOp('r-retry')).toMatchObject({ bank: 'ICBC', status: 'failed' });
    expect(up.body.topup_id).toBe(opIdOf('topup', user.id, retryRequestId('r-retry')));
    expect(await operation(up.body.topup_id)).toMatchObject({ bank: 'CCB', status: 'succeeded' });
    expect((await money('topups', '50.00', 'r-retry')).body).toMatchObject({ topup_id: up.body.topup_id, status: 'succeeded', balance: '140.00' });
    // Two earlier successes and one decline: no longer as healthy as CCB (one success), so CCB wins despite its fee.
    expect(server.app.router.successRate('ICBC')).toBeCloseTo(2 / 3);

    const learned = await money('topups', '30.00', 'r-learned');
    expect(learned.body).toMatchObject({ topup_id: opIdOf('topup', user.id, 'r-learned'), status: 'succeeded', balance: '170.00' });
    expect(await operation(learned.body.topup_id)).toMatchObject({ bank: 'CCB' });
    expect(await topupOp(retryRequestId('r-learned'))).toBeUndefined();
    const out = await money('withdrawals', '20.00', 'w-learned');
    expect(out.body).toMatchObject({ status: 'succeeded', balance: '150.00' });
    expect(await operation(out.body.withdrawal_id)).toMatchObject({ bank: 'CCB' });
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    expect(metrics).toContain('formica_channel_success_rate{bank="ICBC"} 0.666');
    expect(metrics).toContain('formica_channel_success_rate{bank="CCB"} 1');
  });

  it('an unknown answer stays pending on its channel and is never retried elsewhere', async () => {
    // ICBC would answer now: a retry there could debit the card twice.
    await configure('ICBC', { failure_rate: 0 });
    await configure('CCB', { timeout_rate: 1, late_answer_ms: 1000 });
    const late = await money('topups', '10.00', 'r-late');
    await configure('CCB', { timeout_rate: 0 });
    expect(late.body).toMatchObject({ topup_id: opIdOf('topup', user.id, 'r-late'), status: 'pending' });
    expect(await operation(late.body.topup_id)).toMatchObject({ bank: 'CCB', status: 'pending' });
    expect(await topupOp(retryRequestId('r-late'))).toBeUndefined();
    expect((await money('topups', '10.00', 'r-late')).body.status).toBe('pending');
    expect(await balance()).toBe('150.00');
  });

  it("a decline that is the card's fault is not retried on another channel", async () => {
    expect((await sim('POST', '/sim/cards', { card_no: CARD_B, balance: '1.00' })).status).toBe(200);
    const poor = await bind(CARD_B, 'ICBC');
    expect(await bind(CARD_B, 'CCB')).toBe(poor);
    const up = await money('topups', '5.00', 'r-poor', poor);
    expect(up.body).toMatchObject({ status: 'failed', reason: 'insufficient_funds' });
    expect(await operation(up.body.topup_id)).toMatchObject({ bank: 'CCB', status: 'failed' });
    expect(await topupOp(retryRequestId('r-poor'))).toBeUndefined();
    expect((await as('GET', '/v1/cards')).body.cards).toHaveLength(2);
  });

  it('the day reconciles line by line at both banks, and the books verify', async () => {
    await advanceAndLogIn(15 * HOUR);
    const run = await server.call('POST', '/v1/admin/reconciliations', { date: D });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: report items are plain JSON
    const items = (code: string) => run.body.banks.find((b: any) => b.bank === code).items;
    const ops = (code: string) => items(code).map((i: { op_id: string; request_id: string }) => [i.op_id, i.request_id]);
    const tup = (requestId: string) => opIdOf('topup', user.id, requestId);
    const wdr = (requestId: string) => opIdOf('withdrawal', user.id, requestId);
    // Each bank's statement names exactly the operations Formica sent it, by their request ids.
    const icbc = [tup('r-cheap'), wdr('w-cheap'), tup('r-retry')];
    const ccb = [tup(retryRequestId('r-retry')), tup('r-learned'), wdr('w-learned'), tup('r-late'), tup('r-poor')];
    expect(ops('ICBC').sort()).toEqual(icbc.map((id) => [id, id]).sort());
    expect(ops('CCB').sort()).toEqual(ccb.map((id) => [id, id]).sort());
    for (const item of [...items('ICBC'), ...items('CCB')]) expect(item).toMatchObject({ state: 'closed', suspense_amount: '0.00' });
    expect(items('CCB').find((i: { op_id: string }) => i.op_id === tup('r-late'))).toMatchObject({ kind: 'settled' });
    const kinds = new Set([...items('ICBC'), ...items('CCB')].map((i: { kind: string }) => i.kind));
    expect([...kinds].sort()).toEqual(['matched', 'settled']);
    expect(run.body.unresolved).toBe(0);
    expect(await balance()).toBe('160.00');
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
    expect((await server.app.reconciliation.checkReserves()).balanced).toBe(true);
  });
});
