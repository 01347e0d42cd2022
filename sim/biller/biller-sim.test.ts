// The biller simulator through its HTTP face on a manual clock: the test accounts' behaviours,
// seeded households, idempotent payments, and the settlement file with planted differences.
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/engine/clock.ts';
import { type BillerSimApp, buildBillerSimApp } from './server.ts';
import { LATE_CONFIRM_MS } from './simulator.ts';

const START = Date.UTC(2026, 5, 10, 2, 0); // 10:00 in Shanghai
let sim: BillerSimApp;
afterEach(() => sim?.close());

async function open(options: { seed?: number; refusalRate?: number } = {}) {
  const clock = new ManualClock(START);
  sim = await buildBillerSimApp({ clock, seed: options.seed ?? 7, refusalRate: options.refusalRate });
  return clock;
}

const get = (url: string) => sim.app.inject({ method: 'GET', url });
const pay = (paymentId: string, billKey: string, amount: string) =>
  sim.app.inject({ method: 'POST', url: '/payments', payload: { payment_id: paymentId, charge_inst: 'HZ_ELEC', bill_key: billKey, amount, currency: 'CNY' } });

describe('biller simulator', () => {
  it('knows the test accounts and seeded households, and no other key', async () => {
    await open();
    expect((await get('/bills?charge_inst=HZ_ELEC&bill_key=1000000001')).json()).toMatchObject({ amount_due: '128.50', due_date: '2026-06-25' });
    expect((await get('/bills?charge_inst=SH_GAS&bill_key=1000000002')).json()).toMatchObject({ amount_due: '0.00' });
    const household = (await get('/bills?charge_inst=HZ_ELEC&bill_key=1234567890')).json();
    expect(household.holder_name).toMatch(/\S/);
    expect((await get('/bills?charge_inst=HZ_ELEC&bill_key=1234567890')).json()).toEqual(household);
    expect((await get('/bills?charge_inst=HZ_ELEC&bill_key=2000000001')).statusCode).toBe(404);
  });

  it('confirms within seconds, refuses 1000000003 and confirms 1000000004 only after ten minutes', async () => {
    const clock = await open();
    for (const [id, key] of [
      ['p1', '1000000001'],
      ['p3', '1000000003'],
      ['p4', '1000000004'],
    ])
      expect((await pay(id, key, '10.00')).json().status).toBe('pending');
    clock.advance(5_000);
    const status = async (id: string) => (await get(`/payments/${id}`)).json().status;
    expect([await status('p1'), await status('p3'), await status('p4')]).toEqual(['confirmed', 'refused', 'pending']);
    clock.advance(LATE_CONFIRM_MS);
    expect(await status('p4')).toBe('confirmed');
    expect((await get('/payments/nope')).statusCode).toBe(404);
    expect((await get('/bills?charge_inst=HZ_ELEC&bill_key=1000000001')).json().amount_due).toBe('118.50');
  });

  it('answers a repeated payment id with the first payment and refuses it for another bill', async () => {
    await open();
    expect((await pay('p1', '1000000001', '1.00')).statusCode).toBe(202);
    expect((await pay('p1', '1000000001', '1.00')).json().payment_id).toBe('p1');
    expect((await pay('p1', '1000000004', '1.00')).statusCode).toBe(409);
  });

  it('draws refusals of households from the seed, the same for the same seed', async () => {
    const outcomes = async () => {
      const clock = await open({ seed: 3, refusalRate: 0.5 });
      for (let i = 0; i < 20; i++) await pay(`h${i}`, `12000000${String(i).padStart(2, '0')}`, '1.00');
      clock.advance(5_000);
      const all = await Promise.all(Array.from({ length: 20 }, async (_, i) => (await get(`/payments/h${i}`)).json().status));
      await sim.close();
      return all;
    };
    const first = await outcomes();
    expect(first).toContain('refused');
    expect(first).toContain('confirmed');
    expect(await outcomes()).toEqual(first);
  });

  it('writes the day settlement file as CSV with the planted differences', async () => {
    const clock = await open();
    await pay('p1', '1000000001', '128.50');
    await pay('p2', '1000000001', '1.00');
    await pay('p3', '1000000003', '45.00');
    clock.advance(5_000);
    await sim.app.inject({ method: 'POST', url: '/sim/plant', payload: { action: 'alter', payment_id: 'p2', amount: '2.00' } });
    await sim.app.inject({
      method: 'POST',
      url: '/sim/plant',
      payload: {
        action: 'add',
        charge_inst: 'HZ_ELEC',
        day: '2026-06-10',
        payment_id: 'x9',
        bill_key: '1000000001',
        amount: '3.00',
        confirmed_at: '2026-06-10T03:00:00Z',
      },
    });
    const file = await get('/settlements/HZ_ELEC/2026-06-10');
    expect(file.headers['content-type']).toContain('text/csv');
    const rows = parse(file.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.payment_id, r.amount])).toEqual([
      ['p1', '128.50'],
      ['p2', '2.00'],
      ['x9', '3.00'],
    ]);
    expect((await get('/settlements/SH_GAS/2026-06-10')).body.trim()).toBe('payment_id,charge_inst,bill_key,amount,currency,confirmed_at');
  });
});
