// The fund's story driven only by the sandbox clock's route, as a client would: subscribe on a
// Thursday before 15:00, move the clock, find the shares confirmed on Friday and Friday to Sunday's
// income paid (each day's accrual runs in the advance once the day is over), read the 7-day yield
// history the wallet's chart draws, fast-redeem on Monday.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { verifyTo } from './support/users.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

const DAY_MS = 24 * 3600 * 1000;
const SHANGHAI_MS = 8 * 3600 * 1000;

/** 'YYYY-MM-DD' of the first Thursday (Shanghai) at least two days after `ms`. */
function nextThursday(ms: number): string {
  let day = new Date(ms + SHANGHAI_MS + 2 * DAY_MS);
  while (day.getUTCDay() !== 4) day = new Date(day.getTime() + DAY_MS);
  return day.toISOString().slice(0, 10);
}
const plusDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

describe.each(storesUnderTest())('the fund on the sandbox clock (%s)', (store) => {
  let server: TestServer;
  const phone = `135${String(process.pid % 1000000).padStart(6, '0')}77`;
  let token = '';

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Moves the sandbox clock (every due job runs first), then logs in again: sessions end when idle. */
  async function clockTo(shanghai: string): Promise<void> {
    expect((await server.call('POST', '/v1/sandbox/clock', { now: `${shanghai}+08:00` })).status).toBe(200);
    token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' })).body.token;
  }
  const as = (method: string, route: string, body?: unknown) => send(server.url + route, token, method, body);
  const holding = async () => (await as('GET', '/v1/fund/holdings')).body.holdings[0];

  it('Thursday before 15:00 -> confirmed Friday -> earns Friday, Saturday, Sunday -> the 7-day yield -> fast-redeemed Monday', async () => {
    const now = Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now);
    const thursday = nextThursday(now);
    const [friday, saturday, sunday, monday] = [1, 2, 3, 4].map((n) => plusDays(thursday, n));

    expect((await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Saver' })).status).toBe(201);
    await clockTo(`${thursday}T10:00:00`);
    const userId = (await as('GET', '/v1/me')).body.user_id;
    await verifyTo(server, { id: userId, phone, token, name: 'Saver' }, 'III');
    await server.call('POST', '/v1/admin/adjustments', {
      user_id: userId,
      amount: '12000.00',
      currency: 'CNY',
      direction: 'credit',
      reason: 'salary',
      request_id: 'salary-1',
    });
    expect((await server.call('POST', '/v1/admin/funds', { fund_id: 'mmf', name: 'Balance Treasure', risk_level: 1 })).status).toBe(201);
    // The week so far (Monday to Wednesday), before anyone holds shares: published, nobody paid.
    for (const back of [3, 2, 1]) {
      const income = { date: plusDays(thursday, -back), income_per_10k: '1.2345' };
      expect((await server.call('POST', '/v1/admin/funds/mmf/income', income)).status).toBe(201);
    }
    expect((await as('PUT', '/v1/me/risk-profile', { answers: [0, 0, 0, 0, 0] })).body.risk_tolerance).toBe(1);
    const sub = await as('POST', '/v1/fund/subscriptions', { fund_id: 'mmf', amount: '10000.00', currency: 'CNY', request_id: 'sub-1' });
    expect(sub).toMatchObject({ status: 201, body: { status: 'pending', confirm_date: friday } });

    await clockTo(`${friday}T08:00:00`);
    expect(await holding()).toMatchObject({ confirmed_shares: '10000.00', pending_shares: '0.00', total_income: '0.00' });
    // Thursday's income: the shares were not confirmed yet, so they earn nothing for it.
    expect((await server.call('POST', '/v1/admin/funds/mmf/income', { date: thursday, income_per_10k: '1.2345' })).status).toBe(201);
    expect((await server.call('POST', '/v1/admin/funds/mmf/income', { date: friday, income_per_10k: '1.2345' })).status).toBe(201);

    await clockTo(`${saturday}T08:00:00`);
    // 10,000.00 shares x 1.2345 / 10,000 = 1.2345 CNY: 1.23 paid, 0.0045 carried.
    expect(await holding()).toMatchObject({ confirmed_shares: '10001.23', yesterday_income: '1.23', total_income: '1.23' });

    await clockTo(`${monday}T09:00:00`);
    for (const [date, r] of [
      [saturday, '1.2345'],
      [sunday, '1.2345'],
    ]) {
      expect((await server.call('POST', '/v1/admin/funds/mmf/income', { date, income_per_10k: r })).status).toBe(201);
    }
    await clockTo(`${monday}T09:00:01`); // both days are over: they accrue in this advance
    // Saturday: 10,001.23 x 1.2345 / 10,000 + 0.0045 carried = 1.23915... -> 1.23, 0.00915... carried;
    // Sunday: 10,002.46 x 1.2345 / 10,000 + 0.00915... = 1.24395... -> 1.24: the carry made a fen.
    expect(await holding()).toMatchObject({ confirmed_shares: '10003.70', yesterday_income: '1.24', total_income: '3.70' });

    // The chart's history: every published day, the 7-day yield from the seventh on (Monday to Sunday).
    const history = (await as('GET', '/v1/funds/mmf/yields?days=30')).body.yields;
    expect(history.map((d: { date: string }) => d.date)).toEqual([-3, -2, -1, 0, 1, 2, 3].map((n) => plusDays(thursday, n)));
    expect(history.slice(0, 6).every((d: { seven_day_yield: string | null }) => d.seven_day_yield === null)).toBe(true);
    // ((1 + 1.2345 / 10,000)^7)^(365/7) - 1 = 4.6087%.
    expect(history[6]).toEqual({ date: sunday, income_per_10k: '1.2345', seven_day_yield: '4.609' });
    expect((await as('GET', '/v1/funds')).body.funds).toEqual([
      { fund_id: 'mmf', name: 'Balance Treasure', risk_level: 1, income_per_10k: '1.2345', seven_day_yield: '4.609' },
    ]);

    const fast = await as('POST', '/v1/fund/redemptions', { fund_id: 'mmf', shares: '10000.00', mode: 'fast', request_id: 'out-1' });
    expect(fast).toMatchObject({ status: 201, body: { status: 'completed', arrives_on: monday } });
    expect((await as('GET', '/v1/wallet')).body.balance).toBe('12000.00');
    expect(await holding()).toMatchObject({ confirmed_shares: '3.70' });
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('sweeps the idle balance above the floor at 14:30 as an ordinary subscription, once a day', async () => {
    const saver = { phone: `136${String(process.pid % 1000000).padStart(6, '0')}88`, token: '' };
    const mine = (method: string, route: string, body?: unknown) => send(server.url + route, saver.token, method, body);
    const moveTo = async (shanghai: string) => {
      expect((await server.call('POST', '/v1/sandbox/clock', { now: `${shanghai}+08:00` })).status).toBe(200);
      saver.token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: saver.phone, password: 'correct horse' })).body.token;
    };
    // The next weekday after the clock's day, and the weekday after that.
    let day = plusDays(new Date(Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now) + SHANGHAI_MS).toISOString().slice(0, 10), 1);
    const weekday = (d: string) => ![0, 6].includes(new Date(`${d}T00:00:00Z`).getUTCDay());
    while (!weekday(day)) day = plusDays(day, 1);
    let next = plusDays(day, 1);
    while (!weekday(next)) next = plusDays(next, 1);

    expect((await send(`${server.url}/v1/users`, undefined, 'POST', { phone: saver.phone, password: 'correct horse', name: 'Sweeper' })).status).toBe(201);
    await moveTo(`${day}T10:00:00`);
    const userId = (await mine('GET', '/v1/me')).body.user_id;
    await verifyTo(server, { id: userId, phone: saver.phone, token: saver.token, name: 'Sweeper' }, 'III');
    const setting = { fund_id: 'mmf', floor: '500.00', enabled: true };
    expect(await mine('PUT', '/v1/me/fund-sweep', setting)).toMatchObject({ status: 422, body: { code: 'risk_profile_required' } });
    expect((await mine('PUT', '/v1/me/risk-profile', { answers: [0, 0, 0, 0, 0] })).status).toBe(200);
    expect(await mine('PUT', '/v1/me/fund-sweep', setting)).toMatchObject({ status: 200, body: { ...setting, last_swept_date: null } });
    const salary = { user_id: userId, amount: '3000.00', currency: 'CNY', direction: 'credit', reason: 'salary', request_id: 'sweep-salary' };
    expect((await server.call('POST', '/v1/admin/adjustments', salary)).status).toBe(200);

    await moveTo(`${day}T14:29:00`);
    expect((await mine('GET', '/v1/wallet')).body.balance).toBe('3000.00');
    await moveTo(`${day}T14:31:00`);
    expect((await mine('GET', '/v1/wallet')).body.available).toBe('500.00');
    expect((await mine('GET', '/v1/fund/holdings')).body.holdings).toEqual([
      { fund_id: 'mmf', confirmed_shares: '0.00', pending_shares: '2500.00', yesterday_income: '0.00', total_income: '0.00' },
    ]);
    const swept = (await mine('GET', '/v1/me/fund-sweep')).body;
    expect(swept).toMatchObject({ ...setting, last_swept_date: day, last_result: expect.stringMatching(/^subscribed /) });

    // Later the same day nothing more is swept, even with new money; the next day sweeps it.
    expect((await server.call('POST', '/v1/admin/adjustments', { ...salary, amount: '100.00', request_id: 'sweep-bonus' })).status).toBe(200);
    await moveTo(`${day}T23:00:00`);
    expect((await mine('GET', '/v1/wallet')).body.available).toBe('600.00');
    await moveTo(`${next}T14:31:00`);
    expect((await mine('GET', '/v1/wallet')).body.available).toBe('500.00');
    expect((await mine('GET', '/v1/fund/holdings')).body.holdings[0]).toMatchObject({ confirmed_shares: '2500.00', pending_shares: '100.00' });
    expect((await mine('PUT', '/v1/me/fund-sweep', { ...setting, enabled: false })).body).toMatchObject({ enabled: false, last_swept_date: next });
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
