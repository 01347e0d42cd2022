// Withdrawals of a merchant's settlement balance over HTTP, in sandbox mode against the bank
// simulator: the owner names a bound card; finance withdraws; a support user cannot; a declining
// bank gives the money back at once; a bank that never answers leaves the withdrawal pending until
// the channel job learns the outcome as the sandbox clock moves; reconciliation sees the operations.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { systemClock } from '../src/engine/clock.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { formatChinaTime } from '../src/modules/merchant/protocol/china-time.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, type TestUser } from './support/users.ts';

describe.each(storesUnderTest())('merchant withdrawals over HTTP (%s)', (store) => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let owner: TestUser;
  let finance: TestUser;
  let support: TestUser;
  let buyer: TestUser;
  let merchantId = '';
  let cardId = '';
  let seq = 0;

  const as = (user: TestUser | undefined, method: string, route: string, body?: unknown) => send(server.url + route, user?.token, method, body);
  const at = (route: string) => `/v1/merchant-console/merchants/${merchantId}${route}`;
  const balance = async () => (await as(finance, 'GET', at('/balance'))).body.balance;
  const withdraw = (user: TestUser, amount: string, requestId: string) =>
    as(user, 'POST', at('/withdrawals'), { amount, currency: 'CNY', request_id: requestId });
  const withdrawal = async (id: string) =>
    (await as(finance, 'GET', at('/withdrawals'))).body.withdrawals.find((w: { withdrawal_id: string }) => w.withdrawal_id === id);
  const fault = (kind: string) => server.call('POST', '/v1/sandbox/faults', { target: 'bank', kind, count: 1 });

  async function sell(amountMinor: bigint): Promise<void> {
    const t = await server.app.trades.create(merchantId, {
      outTradeNo: `${store}-w-${++seq}`,
      subject: 'Kettle',
      totalAmountMinor: amountMinor,
      productCode: 'FAST_INSTANT_TRADE_PAY',
    });
    expect((await as(buyer, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: `pay-${seq}` })).status).toBe(200);
  }

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, sandbox: true, bankUrl: bank.url, bankTimeoutMs: 2_000 });
    [owner, finance, support, buyer] = await Promise.all(['Owner', 'Finance', 'Support', 'Buyer'].map((n) => newUser(server, n)));
    await fund(server, buyer, '1000.00');
    const created = await server.call('POST', '/v1/admin/merchants', {
      name: 'Kettle Works',
      public_key: rsaKeyPair().publicKey,
      fee_bps: 0,
      owner_phone: owner.phone,
    });
    merchantId = created.body.merchant_id;
    await as(owner, 'POST', at('/staff'), { phone: finance.phone, role: 'finance' });
    await as(owner, 'POST', at('/staff'), { phone: support.phone, role: 'support' });
    const started = await as(owner, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_A, name: 'Li Lei', id_no: '110101199001011234', phone: owner.phone });
    cardId = started.body.card_id;
    const sms = await send(`${bank.url}/sim/sms?phone=${owner.phone}`, undefined, 'GET');
    expect((await as(owner, 'POST', `/v1/cards/${cardId}/confirm`, { sms_code: sms.body.messages.at(-1).code })).status).toBe(200);
    await sell(50_000n);
  });

  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  it('needs a payout account the owner names from their own bound cards; finance reads it, support cannot', async () => {
    expect((await withdraw(finance, '1.00', 'before-account')).body.code).toBe('payout_account_missing');
    expect((await as(finance, 'PUT', at('/payout-account'), { card_id: cardId })).status).toBe(403);
    expect((await as(owner, 'PUT', at('/payout-account'), { card_id: 'card_none' })).status).toBe(404);
    const set = await as(owner, 'PUT', at('/payout-account'), { card_id: cardId });
    expect(set.body, JSON.stringify(set.body)).toMatchObject({ card_id: cardId, owner_user_id: owner.id, last4: CARD_A.slice(-4) });
    expect((await as(finance, 'GET', at('/payout-account'))).body.card_id).toBe(cardId);
    expect((await as(support, 'GET', at('/payout-account'))).status).toBe(403);
  });

  it('pays out through the bank; a support user cannot withdraw; a replay answers the first result', async () => {
    expect(await balance()).toBe('500.00');
    const refused = await withdraw(support, '10.00', 'support-try');
    expect([refused.status, refused.body.code]).toEqual([403, 'merchant_role_forbidden']);
    expect((await as(support, 'GET', at('/withdrawals'))).status).toBe(403);
    const done = await withdraw(finance, '100.00', 'w-ok');
    expect(done.body, JSON.stringify(done.body)).toMatchObject({ status: 'succeeded' });
    expect((await withdraw(finance, '100.00', 'w-ok')).body).toMatchObject({ withdrawal_id: done.body.withdrawal_id, status: 'succeeded' });
    expect(await balance()).toBe('400.00');
    const tooMuch = await withdraw(owner, '400.01', 'w-too-much');
    expect([tooMuch.status, tooMuch.body.code]).toEqual([422, 'insufficient_funds']);
    expect(await balance()).toBe('400.00');
  });

  it('gives the money back at once when the bank declines', async () => {
    expect((await fault('decline')).status).toBe(201);
    const declined = await withdraw(finance, '50.00', 'w-declined');
    expect(declined.body).toMatchObject({ status: 'failed', reason: 'bank_declined' });
    expect(await balance()).toBe('400.00');
  });

  it('stays pending while the bank does not answer, then settles by what the bank knows as the clock moves', async () => {
    // The request never reached the bank: held, pending, then voided once the grace period passes.
    await fault('timeout');
    const lost = await withdraw(owner, '30.00', 'w-lost');
    expect(lost.body).toMatchObject({ status: 'pending' });
    const shown = await as(finance, 'GET', at('/balance'));
    expect(shown.body).toMatchObject({ balance: '400.00', available: '370.00' });
    await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 60 });
    expect(await withdrawal(lost.body.withdrawal_id)).toMatchObject({ status: 'pending' });
    await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 5 * 60 });
    expect(await withdrawal(lost.body.withdrawal_id)).toMatchObject({ status: 'failed', reason: 'bank_never_received' });
    expect(await balance()).toBe('400.00');

    // The bank paid but its answer was lost: the channel job's query finds it paid, and posts.
    await fault('late_answer');
    const late = await withdraw(owner, '20.00', 'w-late');
    expect(late.body).toMatchObject({ status: 'pending' });
    await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 60 });
    expect(await withdrawal(late.body.withdrawal_id)).toMatchObject({ status: 'succeeded', amount: '20.00', bank: 'ICBC' });
    expect(await balance()).toBe('380.00');
    const list = (await as(finance, 'GET', at('/withdrawals'))).body.withdrawals;
    expect(list.map((w: { status: string }) => w.status).sort()).toEqual(['failed', 'failed', 'failed', 'succeeded', 'succeeded']);
  });

  it("files each withdrawal as a channel operation on the merchant's settlement account, for reconciliation", async () => {
    const merchant = await server.app.merchants.require(merchantId);
    const ops = await server.app.cardPayments.operationsBetween('ICBC', 0, server.app.clock.now() + 1);
    const mine = ops.filter((o) => o.userId === merchantId);
    // Five: paid, refused by the ledger (too much), declined, never received, answered late.
    expect(mine).toHaveLength(5);
    expect(new Set(mine.map((o) => o.accountId))).toEqual(new Set([merchant.settlementAccountId]));
    expect(mine.every((o) => o.kind === 'withdrawal')).toBe(true);
    // The ledger's own audit finds every balance and every transfer consistent.
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it("reconciles the day's withdrawals against the bank's statement, line by line", async () => {
    const date = formatChinaTime(server.app.clock.now()).slice(0, 10);
    await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 86_400 });
    const run = await server.call('POST', '/v1/admin/reconciliations', { date });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    // biome-ignore lint/suspicious/noExplicitAny: report items are plain JSON
    const items = run.body.banks.find((b: any) => b.bank === 'ICBC').items as { op_id: string; kind: string; state: string; suspense_amount: string }[];
    const paid = (await server.app.cardPayments.operationsOf(merchantId)).filter((o) => o.status === 'succeeded').map((o) => o.opId);
    // The bank paid two withdrawals (one answered at once, one whose answer was lost): both on its statement, both matched.
    expect(paid).toHaveLength(2);
    for (const opId of paid) expect(items.find((i) => i.op_id === opId)).toMatchObject({ state: 'closed', suspense_amount: '0.00' });
    expect(run.body.unresolved).toBe(0);
  });
});
