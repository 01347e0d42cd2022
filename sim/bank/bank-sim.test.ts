// The bank simulator over fastify inject: binding by SMS, idempotent debits and credits, declines,
// statements with planted discrepancies, run-time configuration and seeded determinism.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { passesLuhn } from './card-number.ts';
import { statementDay } from './statement.ts';
import { bindCard, CARD_A, CARD_B, get, post, simOnInject, T0 } from './test-support.ts';

const open: Array<{ close(): Promise<void> }> = [];
async function sim(options: Parameters<typeof simOnInject>[0] = {}) {
  const s = await simOnInject(options);
  open.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const debit = (requestId: string, token: string, amount = '100.00') => ({
  token,
  amount,
  currency: 'CNY',
  request_id: requestId,
});

describe('card binding', () => {
  it('sends an SMS code and issues a token with the last four digits', async () => {
    const { app } = await sim();
    const started = await post(app, '/banks/ICBC/bindings', {
      card_no: CARD_A,
      name: 'Li Lei',
      id_no: '110101199001011234',
      phone: '13800000001',
    });
    expect(started.status).toBe(200);
    const sms = JSON.parse((await get(app, '/sim/sms?phone=13800000001')).body);
    expect(sms.messages[0]).toMatchObject({ bank: 'ICBC', binding_request_id: started.body.binding_request_id });
    expect(sms.messages[0].code).toMatch(/^\d{6}$/);
    const url = `/banks/ICBC/bindings/${started.body.binding_request_id}/confirm`;
    const wrong = await post(app, url, { sms_code: sms.messages[0].code === '000000' ? '111111' : '000000' });
    expect(wrong).toMatchObject({ status: 422, body: { code: 'sms_code_wrong' } });
    const confirmed = await post(app, url, { sms_code: sms.messages[0].code });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.last4).toBe('2230');
    expect(confirmed.body.token).toMatch(/^tok_icbc_/);
    // A repeated confirmation (lost answer) returns the same token.
    expect((await post(app, url, { sms_code: sms.messages[0].code })).body.token).toBe(confirmed.body.token);
  });

  it('refuses a card failing Luhn, a different holder, and an expired code', async () => {
    const { app, clock } = await sim();
    const bad = await post(app, '/banks/CCB/bindings', { card_no: '6222020200112231', name: 'A', id_no: '1', phone: '13800000002' });
    expect(bad).toMatchObject({ status: 422, body: { code: 'card_invalid' } });
    await bindCard(app, 'CCB', CARD_A);
    const other = await post(app, '/banks/CCB/bindings', { card_no: CARD_A, name: 'Han Meimei', id_no: '9', phone: '13800000003' });
    expect(other).toMatchObject({ status: 422, body: { code: 'holder_mismatch' } });
    // A name and id number the banks do not know bind nothing, until the person becomes a customer.
    const stranger = { card_no: CARD_B, name: 'Wang Wu', id_no: '110101199909099999', phone: '13800000004' };
    expect(await post(app, '/banks/CCB/bindings', stranger)).toMatchObject({ status: 422, body: { code: 'holder_mismatch' } });
    expect((await post(app, '/sim/customers', { name: 'Wang Wu', id_no: '110101199909099999' })).status).toBe(201);
    const started = await post(app, '/banks/CCB/bindings', stranger);
    const code = JSON.parse((await get(app, '/sim/sms?phone=13800000004')).body).messages[0].code;
    clock.advance(6 * 60_000);
    const late = await post(app, `/banks/CCB/bindings/${started.body.binding_request_id}/confirm`, { sms_code: code });
    expect(late).toMatchObject({ status: 422, body: { code: 'binding_expired' } });
  });

  it('answers 404 for an unknown bank', async () => {
    const { app } = await sim();
    const r = await post(app, '/banks/NOPE/debits', debit('r1', 'tok'));
    expect(r).toMatchObject({ status: 404, body: { code: 'bank_unknown' } });
  });
});

describe('debits and credits', () => {
  it('are idempotent on request_id: a replay answers the first result and never moves money twice', async () => {
    const { app } = await sim();
    const token = await bindCard(app, 'ICBC', CARD_A);
    const first = await post(app, '/banks/ICBC/debits', debit('top-1', token, '250.00'));
    const again = await post(app, '/banks/ICBC/debits', debit('top-1', token, '250.00'));
    expect(first.body).toMatchObject({ status: 'succeeded', request_id: 'top-1', amount: '250.00' });
    expect(again.body).toEqual(first.body);
    const credit = await post(app, '/banks/ICBC/credits', debit('wd-1', token, '50.00'));
    await post(app, '/banks/ICBC/credits', debit('wd-1', token, '50.00'));
    expect(credit.body.status).toBe('succeeded');
    const balance = await post(app, '/sim/cards/balance', { card_no: CARD_A });
    expect(balance.body).toEqual({ last4: '2230', balance: '99800.00', currency: 'CNY' });
    const reused = await post(app, '/banks/ICBC/debits', debit('top-1', token, '1.00'));
    expect(reused).toMatchObject({ status: 409, body: { code: 'request_id_reused' } });
  });

  it('declines for insufficient funds and leaves the balance alone', async () => {
    const { app } = await sim({ cards: [{ cardNo: CARD_B, balance: '10.00' }] });
    const token = await bindCard(app, 'CMB', CARD_B);
    const r = await post(app, '/banks/CMB/debits', debit('d1', token, '10.01'));
    expect(r.body).toMatchObject({ status: 'failed', reason: 'insufficient_funds' });
    expect((await post(app, '/sim/cards/balance', { card_no: CARD_B })).body.balance).toBe('10.00');
    const exact = await post(app, '/banks/CMB/debits', debit('d2', token, '10.00'));
    expect(exact.body.status).toBe('succeeded');
  });

  it('declines everything at failure rate 1.0, and recovers when reconfigured at run time', async () => {
    const { app } = await sim({ banks: [{ code: 'ICBC', failureRate: 1 }] });
    const token = await bindCard(app, 'ICBC', CARD_A);
    for (let i = 0; i < 5; i++) {
      const r = await post(app, '/banks/ICBC/debits', debit(`f${i}`, token));
      expect(r.body).toMatchObject({ status: 'failed', reason: 'bank_declined' });
    }
    const config = await post(app, '/sim/banks/ICBC/config', { failure_rate: 0 });
    expect(config.body).toMatchObject({ code: 'ICBC', failure_rate: 0 });
    expect((await post(app, '/banks/ICBC/debits', debit('ok', token))).body.status).toBe('succeeded');
    expect((await post(app, '/sim/cards/balance', { card_no: CARD_A })).body.balance).toBe('99900.00');
    const bad = await post(app, '/sim/banks/ICBC/config', { failure_rate: 0.6, timeout_rate: 0.6 });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
  });

  it('applies a late answer at once and marks it late; the query finds it', async () => {
    const { app } = await sim({ banks: [{ code: 'ICBC', timeoutRate: 1, lateAnswerMs: 1 }] });
    const token = await bindCard(app, 'ICBC', CARD_A);
    const r = await post(app, '/banks/ICBC/debits', debit('late-1', token));
    expect(r.headers['x-sim-late-answer']).toBe('true');
    const q = await get(app, '/banks/ICBC/operations/late-1');
    expect(JSON.parse(q.body)).toMatchObject({ status: 'succeeded', bank_ref: r.body.bank_ref });
    expect((await get(app, '/banks/ICBC/operations/never-sent')).status).toBe(404);
  });

  it('refuses malformed amounts without recording anything', async () => {
    const { app } = await sim();
    const token = await bindCard(app, 'ICBC', CARD_A);
    for (const amount of ['1.001', '-5', '0', 'abc']) {
      const r = await post(app, '/banks/ICBC/debits', debit('m1', token, amount));
      expect(r).toMatchObject({ status: 400, body: { code: 'invalid_request' } });
    }
    expect((await get(app, '/banks/ICBC/operations/m1')).status).toBe(404);
  });
});

describe('statements', () => {
  it('list the day (Shanghai time) with planted extra, altered and dropped lines', async () => {
    const { app, clock } = await sim();
    const token = await bindCard(app, 'ICBC', CARD_A);
    await post(app, '/banks/ICBC/debits', debit('s1', token, '10.00'));
    clock.advance(60_000);
    await post(app, '/banks/ICBC/credits', debit('s2', token, '20.00'));
    await post(app, '/banks/ICBC/debits', debit('s3', token, '30.00'));
    // 23:30 Shanghai is still 2026-01-01; 00:30 is the next day.
    clock.set(Date.UTC(2026, 0, 1, 16, 30));
    await post(app, '/banks/ICBC/debits', debit('s4', token, '40.00'));
    expect((await post(app, '/sim/banks/ICBC/statement-lines', { action: 'add', request_id: 'long-1', amount: '5.55' })).body).toMatchObject({
      planted: 'add',
      day: '2026-01-02',
    });
    await post(app, '/sim/banks/ICBC/statement-lines', { action: 'add', request_id: 'long-0', amount: '1.00', time: '2026-01-01T03:00:00Z' });
    await post(app, '/sim/banks/ICBC/statement-lines', { action: 'alter', request_id: 's2', amount: '21.00' });
    await post(app, '/sim/banks/ICBC/statement-lines', { action: 'drop', request_id: 's3' });

    const day1 = await get(app, '/banks/ICBC/statements/2026-01-01');
    expect(day1.headers['content-type']).toContain('text/csv');
    const rows = day1.body.trim().split('\n');
    expect(rows[0]).toBe('request_id,bank_ref,type,amount,currency,status,time');
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 1).concat(r.split(',').slice(2, 6)))).toEqual([
      ['s1', 'debit', '10.00', 'CNY', 'succeeded'],
      ['s2', 'credit', '21.00', 'CNY', 'succeeded'],
      ['long-0', 'debit', '1.00', 'CNY', 'succeeded'],
    ]);
    const day2 = (await get(app, '/banks/ICBC/statements/2026-01-02')).body;
    expect(day2).toContain('s4,');
    expect(day2).toContain('long-1,');
    expect((await get(app, '/banks/CCB/statements/2026-01-01')).body.trim().split('\n')).toHaveLength(1);
  });

  it('turn the day at a configured cut-over time', () => {
    const at2330 = Date.UTC(2026, 0, 1, 15, 30); // 23:30 in Shanghai
    expect(statementDay(at2330, 'Asia/Shanghai')).toBe('2026-01-01');
    expect(statementDay(at2330, 'Asia/Shanghai', 23 * 60)).toBe('2026-01-02');
    expect(statementDay(at2330, 'UTC')).toBe('2026-01-01');
    expect(statementDay(T0, 'Asia/Shanghai')).toBe('2026-01-01');
  });
});

describe('determinism', () => {
  async function run(seed: number) {
    const { app } = await sim({ seed, banks: [{ code: 'ICBC', failureRate: 0.5 }] });
    const token = await bindCard(app, 'ICBC', CARD_A);
    const statuses: string[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await post(app, '/banks/ICBC/debits', debit(`d${i}`, token, '1.00'))).body.status);
    return { token, statuses: statuses.join(' ') };
  }

  it('replays the same outcomes, codes and tokens for the same seed', async () => {
    const a = await run(42);
    const b = await run(42);
    const c = await run(43);
    expect(b).toEqual(a);
    expect(a.statuses).toContain('failed');
    expect(a.statuses).toContain('succeeded');
    expect(c).not.toEqual(a);
  });
});

describe('persistence', () => {
  it('keeps cards, tokens and operations across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'bank-sim-'));
    try {
      const first = await simOnInject({ dataDir });
      const token = await bindCard(first.app, 'ICBC', CARD_A);
      await post(first.app, '/banks/ICBC/debits', debit('p1', token, '1.00'));
      await first.close();
      const second = await simOnInject({ dataDir, clock: first.clock });
      expect((await post(second.app, '/sim/cards/balance', { card_no: CARD_A })).body.balance).toBe('99999.00');
      expect((await post(second.app, '/banks/ICBC/debits', debit('p2', token, '1.00'))).body.status).toBe('succeeded');
      expect(JSON.parse((await get(second.app, '/banks/ICBC/operations/p1')).body).status).toBe('succeeded');
      await second.close();
      expect(readFileSync(join(dataDir, 'bank-sim.json'), 'utf8')).not.toContain(CARD_A);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

it('test card numbers pass Luhn', () => {
  expect([CARD_A, CARD_B].every(passesLuhn)).toBe(true);
});
