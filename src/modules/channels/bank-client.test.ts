// The bank client against a listening simulator: the full binding and payment flow, declines, a late
// answer that the client reports as unknown and a query then settles (no double debit), network
// failures, and statements with planted discrepancies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { parseMinor, requireCurrency } from '../../money/amount.ts';
import { createBankClient } from './bank-client.ts';
import { BankClientError } from './bank-client-types.ts';
import { type RunningBankSimulator, startBankSimulator } from '../../../sim/bank/server.ts';
import { CARD_A, CARD_B, T0 } from '../../../sim/bank/test-support.ts';

let sim: RunningBankSimulator;
const clock = new ManualClock(T0);

beforeAll(async () => {
  sim = await startBankSimulator({
    port: 0,
    host: '127.0.0.1',
    clock,
    seed: 7,
    cards: [{ cardNo: CARD_B, balance: '30.00' }],
    // CMB answers every money call late (long after the hasty client's 200 ms timeout).
    banks: [{ code: 'ICBC' }, { code: 'CMB', timeoutRate: 1, lateAnswerMs: 10_000 }],
  });
});
afterAll(() => sim.close());

// Generous for ordinary calls (a loaded machine must not turn them into unknowns); short where a
// late answer is the point.
const client = () => createBankClient({ baseUrl: sim.url, timeoutMs: 5_000 });
const hasty = () => createBankClient({ baseUrl: sim.url, timeoutMs: 200 });

async function bind(bank: string, cardNo: string, phone: string): Promise<string> {
  const c = client();
  const started = await c.bind({ bank, cardNo, name: 'Li Lei', idNo: '110101199001011234', phone });
  if (started.status !== 'sms_sent') throw new Error(`bind: ${JSON.stringify(started)}`);
  const sms = (await (await fetch(`${sim.url}/sim/sms?phone=${phone}`)).json()) as { messages: Array<{ code: string }> };
  const confirmed = await c.confirm({ bank, bindingRequestId: started.bindingRequestId, smsCode: sms.messages[0].code });
  if (confirmed.status !== 'bound') throw new Error(`confirm: ${JSON.stringify(confirmed)}`);
  expect(confirmed.last4).toBe(cardNo.slice(-4));
  return confirmed.token;
}

const minor = (text: string) => parseMinor(text, requireCurrency('CNY'));

async function balance(cardNo: string): Promise<string> {
  const response = await fetch(`${sim.url}/sim/cards/balance`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ card_no: cardNo }),
  });
  return ((await response.json()) as { balance: string }).balance;
}

describe('bank client', () => {
  it('binds a card, debits and credits it, and queries the outcome', async () => {
    const c = client();
    const token = await bind('ICBC', CARD_A, '13900000001');
    const paid = await c.debit({ bank: 'ICBC', token, amountMinor: 12_345n, currency: 'CNY', requestId: 'c-debit-1' });
    expect(paid).toMatchObject({ status: 'succeeded' });
    const replay = await c.debit({ bank: 'ICBC', token, amountMinor: 12_345n, currency: 'CNY', requestId: 'c-debit-1' });
    expect(replay).toEqual(paid);
    const out = await c.credit({ bank: 'ICBC', token, amountMinor: 45n, currency: 'CNY', requestId: 'c-credit-1' });
    expect(out.status).toBe('succeeded');
    expect(await balance(CARD_A)).toBe('99877.00');
    const found = await c.query('ICBC', 'c-debit-1');
    expect(found).toMatchObject({
      status: 'found',
      operation: { requestId: 'c-debit-1', type: 'debit', amountMinor: 12_345n, currency: 'CNY', status: 'succeeded', time: T0 },
    });
    expect(await c.query('ICBC', 'never-sent')).toEqual({ status: 'not_found' });
  });

  it('reports a decline as failed with the bank reason', async () => {
    const c = client();
    const token = await bind('ICBC', CARD_B, '13900000002');
    const r = await c.debit({ bank: 'ICBC', token, amountMinor: 3_001n, currency: 'CNY', requestId: 'c-poor-1' });
    expect(r).toMatchObject({ status: 'failed', reason: 'insufficient_funds' });
    const refused = await c.confirm({ bank: 'ICBC', bindingRequestId: 'bnd_nope', smsCode: '123456' });
    expect(refused).toMatchObject({ status: 'refused', code: 'binding_unknown' });
  });

  it('says unknown on a late answer; the query then finds the one real debit', async () => {
    const c = client();
    const token = await bind('CMB', CARD_A, '13900000003');
    const before = await balance(CARD_A);
    const request = { bank: 'CMB', token, amountMinor: 100_00n, currency: 'CNY', requestId: 'c-late-1' };
    const r = await hasty().debit(request);
    expect(r).toMatchObject({ status: 'unknown', cause: 'timeout' });
    const q = await c.query('CMB', 'c-late-1');
    expect(q).toMatchObject({ status: 'found', operation: { status: 'succeeded', amountMinor: 100_00n } });
    // Retrying with the same request id answers at once from the bank's record: no second debit.
    const retry = await c.debit(request);
    expect(retry).toMatchObject({ status: 'succeeded' });
    expect(q.status === 'found' && retry.status === 'succeeded' && retry.bankRef).toBe(q.status === 'found' && q.operation.bankRef);
    expect(minor(await balance(CARD_A))).toBe(minor(before) - 100_00n);
  });

  it('says unknown when the bank cannot be reached, and throws on a reused request id', async () => {
    const dead = createBankClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    const r = await dead.debit({ bank: 'ICBC', token: 't', amountMinor: 1n, currency: 'CNY', requestId: 'x' });
    expect(r).toMatchObject({ status: 'unknown', cause: 'network' });
    const token = await bind('ICBC', CARD_A, '13900000004');
    const c = client();
    await c.debit({ bank: 'ICBC', token, amountMinor: 1n, currency: 'CNY', requestId: 'c-reuse' });
    await expect(c.debit({ bank: 'ICBC', token, amountMinor: 2n, currency: 'CNY', requestId: 'c-reuse' })).rejects.toBeInstanceOf(BankClientError);
  });

  it('reads a statement with what happened and the planted lines', async () => {
    const c = client();
    await fetch(`${sim.url}/sim/banks/ICBC/statement-lines`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'add', request_id: 'c-long-1', amount: '8.88', type: 'credit' }),
    });
    const s = await c.statement('ICBC', '2026-01-01');
    expect(s.status).toBe('ok');
    if (s.status !== 'ok') return;
    const byId = new Map(s.lines.map((l) => [l.requestId, l]));
    expect(byId.get('c-debit-1')).toMatchObject({ type: 'debit', amountMinor: 12_345n, status: 'succeeded' });
    expect(byId.get('c-poor-1')).toMatchObject({ status: 'failed' });
    expect(byId.get('c-long-1')).toMatchObject({ type: 'credit', amountMinor: 888n });
    expect(await c.statement('NOPE', '2026-01-01')).toMatchObject({ status: 'refused', code: 'bank_unknown' });
  });
});
