// Reconciliation end to end: Formica over HTTP and the bank simulator on a real port share one
// manual clock. Long, short and mismatched lines are planted through the simulator's /sim routes;
// the report, the suspense account, the next day's reversal, operator resolutions, reruns (no
// double posting) and the CLI's exit code are checked. SQLite always; PostgreSQL with DATABASE_URL.
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerReconcile } from '../src/cli/commands/reconcile.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { addDays, dayWindow, parseDate } from '../src/modules/reconciliation/day.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send } from './support/http.ts';

const D = '2026-03-10';
const D1 = '2026-03-11';
/** 10:00 in Shanghai on D. */
const T0 = Date.UTC(2026, 2, 10, 2, 0, 0);
const HOUR = 3_600_000;

describe('statement days', () => {
  it('cut at local midnight in Shanghai, or at the configured cut-over', () => {
    expect(dayWindow(D, { timeZone: 'Asia/Shanghai', cutoverMinutes: 0 })).toEqual({ fromMs: Date.UTC(2026, 2, 9, 16), toMs: Date.UTC(2026, 2, 10, 16) });
    expect(dayWindow(D, { timeZone: 'Asia/Shanghai', cutoverMinutes: 23 * 60 })).toEqual({ fromMs: Date.UTC(2026, 2, 9, 15), toMs: Date.UTC(2026, 2, 10, 15) });
    expect(() => parseDate('2026-02-30')).toThrow(/not a date/);
  });
});

describe.each(storesUnderTest())('reconciliation against the bank simulator (%s)', (store) => {
  const clock = new ManualClock(T0);
  let bank: RunningBankSimulator;
  let server: TestServer;
  let user = { id: '', token: '', phone: '' };
  let cardId = '';
  const ops: Record<string, string> = {};

  const as = (method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const sim = (method: string, route: string, body?: unknown) => send(bank.url + route, undefined, method, body);
  const balance = async () => (await as('GET', '/v1/wallet')).body.balance;
  /** Sessions end after 12 idle hours: after the clock jumps past that, the user logs in again. */
  const advanceAndLogIn = async (ms: number) => {
    clock.advance(ms);
    user.token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' })).body.token;
  };
  const money = (kind: 'topups' | 'withdrawals', amount: string, requestId: string) =>
    as('POST', `/v1/wallet/${kind}`, { card_id: cardId, amount, currency: 'CNY', request_id: requestId });
  const reconcile = (date: string) => server.call('POST', '/v1/admin/reconciliations', { date });
  // biome-ignore lint/suspicious/noExplicitAny: report items are plain JSON
  const item = (report: any, key: string) => report.banks.find((b: any) => b.bank === 'ICBC').items.find((i: any) => i.request_id === key);
  const suspense = async () => {
    const account = await server.app.store.getAccount('sus_ICBC_cny');
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
  };

  async function runCli(date: string): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    const program = new Command('formica').exitOverride();
    const output = () => ({ log: (line: string) => lines.push(line), progress: () => {}, stop: () => {} });
    registerReconcile(program, async () => ({ app: server.app, close: async () => {} }), output);
    const before = process.exitCode;
    await program.parseAsync(['node', 'formica', 'reconcile', '--date', date]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = before;
    return { code, output: lines.join('\n') };
  }

  beforeAll(async () => {
    bank = await startBankSimulator({ clock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 300 });
    const phone = `139${String(Date.now() % 100_000_000).padStart(8, '0')}`;
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Recon User' });
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    user = { id: reg.body.user_id, token: login.body.token, phone };
    const started = await as('POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_A, name: 'Li Lei', id_no: '110101199001011234', phone });
    const sms = await sim('GET', `/sim/sms?phone=${phone}`);
    await as('POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages[0].code });
    cardId = started.body.card_id;
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  it('a day of operations with planted discrepancies', async () => {
    ops.ok = (await money('topups', '100.00', 'r-ok')).body.topup_id;
    ops.altered = (await money('topups', '50.00', 'r-alt')).body.topup_id;
    ops.dropped = (await money('withdrawals', '20.00', 'r-drop')).body.withdrawal_id;
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 1, late_answer_ms: 1000 });
    const late = await money('topups', '10.00', 'r-late');
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 0 });
    expect(late.body.status).toBe('pending');
    ops.late = late.body.topup_id;
    expect((await sim('POST', '/sim/banks/ICBC/statement-lines', { action: 'alter', request_id: ops.altered, amount: '55.00' })).status).toBe(200);
    expect((await sim('POST', '/sim/banks/ICBC/statement-lines', { action: 'drop', request_id: ops.dropped })).status).toBe(200);
    const planted = await sim('POST', '/sim/banks/ICBC/statement-lines', { action: 'add', request_id: 'ext-long-1', type: 'debit', amount: '30.00' });
    expect(planted.body.day).toBe(D);
    await sim('POST', '/sim/banks/ICBC/statement-lines', { action: 'add', request_id: 'ext-failed-1', amount: '9.00', status: 'failed' });
    expect(await balance()).toBe('130.00');
    expect((await reconcile(D)).body.code).toBe('day_not_closed');
  });

  it('reconciles the closed day: matched, settled, long, short and mismatch, with suspense', async () => {
    await advanceAndLogIn(15 * HOUR);
    const run = await reconcile(D);
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const r = run.body;
    expect(item(r, ops.ok)).toMatchObject({ kind: 'matched', state: 'closed', suspense_amount: '0.00' });
    expect(item(r, ops.late)).toMatchObject({ kind: 'settled', state: 'closed' });
    expect(item(r, ops.altered)).toMatchObject({
      kind: 'mismatch',
      state: 'open',
      bank_amount: '55.00',
      formica_amount: '50.00',
      suspense_amount: '5.00',
      alert: true,
    });
    expect(item(r, 'ext-long-1')).toMatchObject({ kind: 'long', state: 'open', op_id: '', suspense_amount: '30.00', alert: true });
    expect(item(r, 'ext-failed-1')).toMatchObject({ kind: 'long', state: 'closed', suspense_amount: '0.00' });
    expect(item(r, ops.dropped)).toMatchObject({ kind: 'short', state: 'short_pending', formica_amount: '20.00' });
    expect(r.unresolved).toBe(3);
    expect(r.reserves.balanced).toBe(true);
    expect(r.reserves.ledgers[0]).toMatchObject({ currency: 'CNY', suspense: '35.00', difference: '0.00' });
    expect(await balance()).toBe('140.00');
    expect(await suspense()).toBe(3500n);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } })).text();
    expect(metrics).toMatch(/formica_channel_success_rate\{bank="ICBC"\}/);
    expect(metrics).toMatch(/formica_reconciliation_alerts_total\{bank="ICBC",kind="mismatch"\}/);
  });

  it('a rerun posts nothing twice and reports the same', async () => {
    const counts = await server.app.store.counts();
    const first = (await server.call('GET', `/v1/admin/reconciliations/${D}`)).body;
    const again = (await reconcile(D)).body;
    expect(again).toEqual(first);
    expect(await server.app.store.counts()).toEqual(counts);
    expect(await suspense()).toBe(3500n);
  });

  it('the CLI prints the table and exits 1 while differences are unresolved', async () => {
    const { code, output } = await runCli(D);
    expect(code).toBe(1);
    expect(output).toMatch(/^bank\s+status\s+lines/);
    expect(output).toMatch(/ICBC\s+complete\s+5/);
    expect(output).toContain('3 unresolved difference(s)');
  });

  it("reverses the short once the next day's statement lacks it too", async () => {
    await advanceAndLogIn(24 * HOUR);
    const next = await reconcile(D1);
    expect(next.status).toBe(200);
    const day = (await server.call('GET', `/v1/admin/reconciliations/${D}`)).body;
    expect(item(day, ops.dropped)).toMatchObject({ state: 'reversed' });
    expect(await balance()).toBe('160.00');
    expect((await money('withdrawals', '20.00', 'r-drop')).body.status).toBe('reversed');
    expect(day.unresolved).toBe(2);
  });

  it('an operator clears suspense with the missing top-up and a refund', async () => {
    const resolve = (body: object) => server.call('POST', `/v1/admin/reconciliations/${D}/resolutions`, body);
    const topup = await resolve({ bank: 'ICBC', request_id: 'ext-long-1', action: 'topup', user_id: user.id });
    expect(topup.status, JSON.stringify(topup.body)).toBe(200);
    expect(topup.body).toMatchObject({ state: 'resolved', resolution: `topup:${user.id}` });
    expect((await resolve({ bank: 'ICBC', request_id: 'ext-long-1', action: 'topup', user_id: user.id })).body.resolution_transfer_id).toBe(
      topup.body.resolution_transfer_id,
    );
    expect((await resolve({ bank: 'ICBC', request_id: ops.altered, action: 'withdrawal', user_id: user.id })).body.code).toBe('resolution_not_allowed');
    expect((await resolve({ bank: 'ICBC', request_id: ops.altered, action: 'refund' })).body.state).toBe('resolved');
    expect(await balance()).toBe('190.00');
    expect(await suspense()).toBe(0n);
    const { code, output } = await runCli(D);
    expect([code, output]).toEqual([0, expect.stringContaining('reconciled, nothing unresolved')]);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
    expect((await server.app.reconciliation.checkReserves()).balanced).toBe(true);
  });

  it('the daily job reconciles the last closed day once, and leaves reconciled days alone', async () => {
    const job = server.app.jobs.find((j) => j.name === 'reconcile-last-closed-day');
    expect(job).toBeDefined();
    await job?.tick();
    const dayAfter = addDays(D1, 1);
    await advanceAndLogIn(24 * HOUR);
    expect((await server.call('GET', `/v1/admin/reconciliations/${dayAfter}`)).status).toBe(404);
    await job?.tick();
    expect((await server.call('GET', `/v1/admin/reconciliations/${dayAfter}`)).status).toBe(200);
    const counts = await server.app.store.counts();
    await job?.tick();
    expect(await server.app.store.counts()).toEqual(counts);
  });

  it('answers bad input with a 4xx and a code', async () => {
    const bad = [
      await reconcile('abc'),
      await reconcile('2026-02-30'),
      await server.call('POST', '/v1/admin/reconciliations', { date: 20260310 }),
      await server.call('GET', '/v1/admin/reconciliations/2025-01-01'),
      await server.call('GET', '/v1/admin/reconciliations/not-a-date'),
      await server.call('POST', `/v1/admin/reconciliations/${D}/resolutions`, { bank: 'ICBC', request_id: 'nope', action: 'refund' }),
      await server.call('POST', `/v1/admin/reconciliations/${D}/resolutions`, { bank: 'ICBC', request_id: ops.ok, action: 'refund' }),
      await server.call('POST', `/v1/admin/reconciliations/${D}/resolutions`, { bank: 'ICBC', request_id: 'x', action: 'steal' }),
      await send(`${server.url}/v1/admin/reconciliations`, undefined, 'POST', { date: D }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 404, 400, 404, 409, 400, 401]);
    for (const r of bad) expect(typeof r.body.code).toBe('string');
  });
});
