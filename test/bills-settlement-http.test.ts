// Biller settlement over HTTP through the real server in sandbox mode, against the biller
// simulator reading the sandbox clock: a day of bill payments with differences planted in the
// biller's file (an altered amount, an extra line, a dropped line) and a payment whose answers are
// all lost. The next morning the file is reconciled like a bank statement (mismatch and long in
// the biller's suspense account, the short kept waiting, the unanswered payment confirmed by the
// file) and the biller is paid its collections less the fee; a day later the short is reversed to
// the payer. An operator clears a suspense entry. The ledger audit is clean after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillerSimApp, startBillerSimulator } from '../sim/biller/server.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { billerCollectionsAccountId, billerPayoutsAccountId, billerSuspenseAccountId } from '../src/modules/books/chart.ts';
import { billerFee } from '../src/modules/bills/settlement-fee.ts';
import { statementDay } from '../sim/bank/statement.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, relogin, type TestUser } from './support/users.ts';

const HOUR_MS = 3_600_000;
const SHANGHAI_MS = 8 * HOUR_MS;

describe.each(storesUnderTest())('biller settlement and reconciliation (%s)', (store) => {
  let server: TestServer;
  let sim: BillerSimApp & { url: string };
  let payer: TestUser;
  let day: string;
  const ids: Record<string, string> = {};
  let seq = 0;
  const as = (method: string, route: string, body?: unknown) => send(server.url + route, payer.token, method, body);
  const pay = async (billKey: string, amount: string) => {
    const paid = await as('POST', '/v1/bill-payments', { charge_inst: 'HZ_ELEC', bill_key: billKey, amount, currency: 'CNY', request_id: `st-${++seq}` });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    return paid.body.payment_id as string;
  };
  const moveTo = async (ms: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { now: new Date(ms).toISOString() })).status).toBe(200);
    payer = await relogin(server, payer);
  };
  /** An instant of a Shanghai day (0:00 local plus `hours`). */
  const shanghai = (date: string, hours: number) => Date.parse(`${date}T00:00:00Z`) - SHANGHAI_MS + hours * HOUR_MS;
  const nextDay = (date: string) => statementDay(Date.parse(`${date}T12:00:00Z`) + 24 * HOUR_MS, 'UTC');
  const balanceOf = async (id: string) => {
    const a = (await server.app.store.getAccount(id))!;
    return a.creditsPosted - a.debitsPosted;
  };
  const run = async (date: string) => {
    const report = await server.call('GET', `/v1/admin/reconciliations/${date}`);
    expect(report.status, JSON.stringify(report.body)).toBe(200);
    return report.body.banks.find((b: { bank: string }) => b.bank === 'biller:HZ_ELEC');
  };

  beforeAll(async () => {
    sim = await startBillerSimulator({ port: 0, seed: 2, clock: { now: () => server.app.clock.now() } });
    server = await startTestServer({ store, sandbox: true, billerUrl: sim.url });
    payer = await newUser(server);
    await fund(server, payer, '1000.00');
    // 10:00 in Shanghai the next day, so every payment's confirmation falls on the same day.
    day = nextDay(statementDay(server.app.clock.now(), 'Asia/Shanghai'));
    await moveTo(shanghai(day, 10));
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  it('pays a day of bills, one of them with every answer lost', async () => {
    ids.matched = await pay('1000000001', '128.50');
    ids.altered = await pay('1100000001', '10.00');
    ids.dropped = await pay('1100000002', '20.00');
    await moveTo(server.app.clock.now() + 10_000);
    for (const id of [ids.matched, ids.altered, ids.dropped]) expect((await as('GET', `/v1/bill-payments/${id}`)).body.status).toBe('completed');
    // In the evening a payment reaches the biller but its answer is lost, and so is every query's after.
    await moveTo(shanghai(day, 20));
    expect((await server.call('POST', '/v1/sandbox/faults', { target: 'biller', kind: 'late_answer', count: 1 })).status).toBe(201);
    expect((await server.call('POST', '/v1/sandbox/faults', { target: 'biller', kind: 'down', count: 1000 })).status).toBe(201);
    ids.silent = await pay('1100000003', '5.00');
    sim.simulator.plant({ action: 'alter', paymentId: ids.altered, amountMinor: 1_200n });
    sim.simulator.plant({ action: 'drop', paymentId: ids.dropped });
    const line = { paymentId: 'bpay_UNKNOWN', chargeInst: 'HZ_ELEC', billKey: '1000000001', amountMinor: 300n, confirmedAt: shanghai(day, 12) };
    sim.simulator.plant({ action: 'add', chargeInst: 'HZ_ELEC', day, line });
    await moveTo(shanghai(day, 23));
    expect((await as('GET', `/v1/bill-payments/${ids.silent}`)).body.status).toBe('pending');
    expect((await as('GET', '/v1/wallet')).body).toMatchObject({ balance: '841.50', available: '836.50' });
  });

  it('next morning reconciles the biller file and pays the biller its collections less the fee', async () => {
    await moveTo(shanghai(nextDay(day), 1) + 60_000);
    const elecRun = await run(day);
    expect(elecRun, JSON.stringify(elecRun)).toMatchObject({ status: 'complete', statement_lines: 4 });
    const items = Object.fromEntries(elecRun.items.map((i: { request_id: string }) => [i.request_id, i]));
    expect(items[ids.matched]).toMatchObject({ kind: 'matched', state: 'closed' });
    expect(items[ids.altered]).toMatchObject({ kind: 'mismatch', state: 'open', suspense_amount: '-2.00' });
    expect(items.bpay_UNKNOWN).toMatchObject({ kind: 'long', state: 'open', suspense_amount: '-3.00' });
    expect(items[ids.silent]).toMatchObject({ kind: 'settled', state: 'closed' });
    expect(items[ids.dropped]).toMatchObject({ kind: 'short', state: 'short_pending' });
    expect((await as('GET', `/v1/bill-payments/${ids.silent}`)).body.status).toBe('completed');

    const settled = await server.call('GET', `/v1/admin/biller-settlements/${day}`);
    const elec = settled.body.settlements.find((s: { charge_inst: string }) => s.charge_inst === 'HZ_ELEC');
    const gross = 12_850n + 1_000n + 2_000n + 500n;
    const fee = billerFee(gross);
    expect(elec).toMatchObject({ payments: 4, collections: '163.50', fee: '0.16', paid_out: '163.34' });
    expect(fee).toBe(16n);
    expect(await balanceOf(billerPayoutsAccountId('HZ_ELEC'))).toBe(gross - fee);
    expect(await balanceOf(billerSuspenseAccountId('HZ_ELEC'))).toBe(-500n);
    // Settling again finds the day settled: nothing moves twice.
    expect((await server.call('POST', '/v1/admin/biller-settlements', { date: day })).body.settlements).toEqual(settled.body.settlements);
    expect(await balanceOf(billerPayoutsAccountId('HZ_ELEC'))).toBe(gross - fee);
  });

  it('reverses the payment the biller never listed to the payer a day later', async () => {
    await moveTo(shanghai(nextDay(nextDay(day)), 1) + 60_000);
    expect((await run(day)).items.find((i: { request_id: string }) => i.request_id === ids.dropped)).toMatchObject({ state: 'reversed' });
    expect((await as('GET', `/v1/bill-payments/${ids.dropped}`)).body.status).toBe('refunded');
    expect((await as('GET', '/v1/wallet')).body.balance).toBe('856.50');
    // Paid out for a payment it never got, the biller owes it back: the collections account shows it.
    expect(await balanceOf(billerCollectionsAccountId('HZ_ELEC'))).toBe(-2_000n + 500n);
  });

  it('lets an operator clear the biller suspense entry of the extra line', async () => {
    const cleared = await server.call('POST', `/v1/admin/reconciliations/${day}/resolutions`, {
      bank: 'biller:HZ_ELEC',
      request_id: 'bpay_UNKNOWN',
      action: 'refund',
    });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(await balanceOf(billerSuspenseAccountId('HZ_ELEC'))).toBe(-200n);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
