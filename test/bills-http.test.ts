// Bill payments over HTTP through the real server in sandbox mode, against the biller simulator
// (in this process, reading the sandbox clock): the directory, lookups, a payment confirmed within
// seconds with its PDF receipt, a refusal refunded, a late confirmation queried meanwhile, biller
// faults (a decline, a lost call), request-id replays, and an autopay over its cap and one within it on its day.
// The ledger audit is clean after. SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillerSimApp, startBillerSimulator } from '../sim/biller/server.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, relogin, type TestUser } from './support/users.ts';
import { missingCharacters } from './support/pdf-text.ts';

describe.each(storesUnderTest())('bill payments over HTTP (%s)', (store) => {
  let server: TestServer;
  let sim: BillerSimApp & { url: string };
  let payer: TestUser;
  let seq = 0;
  const as = (method: string, route: string, body?: unknown) => send(server.url + route, payer.token, method, body);
  const pay = (billKey: string, amount: string, extra: Record<string, unknown> = {}) =>
    as('POST', '/v1/bill-payments', { charge_inst: 'HZ_ELEC', bill_key: billKey, amount, currency: 'CNY', request_id: `bp-${++seq}`, ...extra });
  const payment = async (id: string) => (await as('GET', `/v1/bill-payments/${id}`)).body;
  const wallet = async () => (await as('GET', '/v1/wallet')).body;
  const advance = async (seconds: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds })).status).toBe(200);
    payer = await relogin(server, payer);
  };

  beforeAll(async () => {
    // The simulator reads the platform's sandbox clock, so moving it moves the biller too.
    sim = await startBillerSimulator({ port: 0, seed: 1, clock: { now: () => server.app.clock.now() } });
    server = await startTestServer({ store, sandbox: true, billerUrl: sim.url });
    payer = await newUser(server);
    await fund(server, payer, '1000.00');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await sim?.close();
  });

  it('lists billers by city, in either language, and kind', async () => {
    const zh = await as('GET', `/v1/billers?city=${encodeURIComponent('杭州')}&kind=electricity`);
    expect(zh.body.billers).toEqual([
      { charge_inst: 'HZ_ELEC', name: '国网杭州供电公司', name_en: 'State Grid Hangzhou Power', kind: 'electricity', city: '杭州', city_en: 'Hangzhou' },
    ]);
    expect((await as('GET', '/v1/billers?city=hangzhou&kind=electricity')).body).toEqual(zh.body);
    expect((await as('GET', '/v1/billers?kind=nonsense')).status).toBe(400);
  });

  it('looks a bill up from the biller, masking the holder', async () => {
    const bill = await as('GET', '/v1/bills?charge_inst=HZ_ELEC&bill_key=1000000001');
    expect(bill.body).toMatchObject({ charge_inst: 'HZ_ELEC', bill_key: '1000000001', amount_due: '128.50' });
    expect(bill.body.holder_masked).toMatch(/^\*+\S$/);
    expect((await as('GET', '/v1/bills?charge_inst=HZ_ELEC&bill_key=1000000002')).body.amount_due).toBe('0.00');
    const unknown = await as('GET', '/v1/bills?charge_inst=HZ_ELEC&bill_key=2000000001');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'bill_not_found']);
    expect((await as('GET', '/v1/bills?charge_inst=NOPE&bill_key=1000000001')).body.code).toBe('biller_not_found');
  });

  it('pays from the balance, holds until the biller confirms, then gives a PDF receipt', async () => {
    const paid = await pay('1000000001', '128.50', { request_id: `elec-${store}` });
    expect(paid.status, JSON.stringify(paid.body)).toBe(201);
    expect(paid.body.status).toBe('pending');
    expect((await wallet()).available).toBe('871.50');
    const early = await as('GET', `/v1/bill-payments/${paid.body.payment_id}/receipt`);
    expect([early.status, early.body.code]).toEqual([409, 'receipt_not_ready']);

    await advance(5);
    const done = await payment(paid.body.payment_id);
    expect(done).toMatchObject({ status: 'completed', amount: '128.50', funding: 'balance' });
    expect(done.receipt).toMatchObject({ charge_inst: 'HZ_ELEC', bill_key: '1000000001', amount: '128.50', payment_id: paid.body.payment_id });
    expect((await wallet()).balance).toBe('871.50');
    const pdf = await fetch(`${server.url}/v1/bill-payments/${paid.body.payment_id}/receipt`, { headers: { authorization: `Bearer ${payer.token}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(missingCharacters(bytes, '缴费回单 国网杭州供电公司 128.50')).toEqual([]);
    const english = await fetch(`${server.url}/v1/bill-payments/${paid.body.payment_id}/receipt?lang=en`, {
      headers: { authorization: `Bearer ${payer.token}` },
    });
    expect(missingCharacters(Buffer.from(await english.arrayBuffer()), 'Formica bill payment receipt State Grid Hangzhou Power')).toEqual([]);

    const again = await pay('1000000001', '128.50', { request_id: `elec-${store}` });
    expect(again.body).toEqual({ payment_id: paid.body.payment_id, status: 'completed' });
    const reused = await pay('1000000001', '1.00', { request_id: `elec-${store}` });
    expect([reused.status, reused.body.code]).toEqual([409, 'request_id_reused']);
    expect((await wallet()).balance).toBe('871.50');
  });

  it('refunds a payment the biller refuses', async () => {
    const paid = await pay('1000000003', '45.00');
    expect((await wallet()).available).toBe('826.50');
    await advance(5);
    expect(await payment(paid.body.payment_id)).toMatchObject({ status: 'refunded', reason: 'refused_by_biller' });
    expect(await wallet()).toMatchObject({ balance: '871.50', available: '871.50' });
  });

  it('queries a late confirmation meanwhile and never guesses it', async () => {
    const paid = await pay('1000000004', '60.00');
    await advance(5 * 60);
    expect((await payment(paid.body.payment_id)).status).toBe('pending');
    expect(Number((await server.app.bills.get(paid.body.payment_id))!.queries)).toBeGreaterThan(1);
    await advance(6 * 60);
    expect((await payment(paid.body.payment_id)).status).toBe('completed');
    expect((await wallet()).balance).toBe('811.50');
  });

  it('refunds at once a payment the biller declines, and queries one whose call was lost', async () => {
    await server.call('POST', '/v1/sandbox/faults', { target: 'biller', kind: 'decline', count: 1 });
    const declined = await pay('1000000001', '10.00');
    expect(declined.body.status).toBe('refunded');
    expect((await payment(declined.body.payment_id)).reason).toBe('biller_declined');
    await server.call('POST', '/v1/sandbox/faults', { target: 'biller', kind: 'timeout', count: 1 });
    const lost = await pay('1000000001', '10.00');
    expect(lost.body.status).toBe('pending');
    // The query finds nothing at the biller: the same payment id is sent again, then confirmed.
    await advance(60);
    expect((await payment(lost.body.payment_id)).status).toBe('completed');
    expect((await wallet()).balance).toBe('801.50');
  });

  it('refuses what the balance cannot pay and amounts out of range, holding nothing', async () => {
    const poor = await pay('1000000001', '5000.00');
    expect([poor.status, poor.body.code]).toEqual([422, 'insufficient_funds']);
    expect((await pay('1000000001', '0.00')).status).toBe(400);
    expect((await pay('1000000001', '100000000.01')).body.code).toBe('invalid_amount');
    expect((await pay('2000000001', '1.00')).body.code).toBe('bill_not_found');
    expect(await wallet()).toMatchObject({ balance: '801.50', available: '801.50' });
  });

  it('runs an autopay on its day: a notice over the cap, a payment within it', async () => {
    // Fresh billers: 1000000001 at HZ_ELEC is paid already.
    const over = await as('POST', '/v1/bill-autopays', { charge_inst: 'HZ_GAS', bill_key: '1000000001', monthly_cap: '100.00', day_of_month: 28 });
    expect(over.status, JSON.stringify(over.body)).toBe(201);
    const within = await as('POST', '/v1/bill-autopays', { charge_inst: 'HZ_WATER', bill_key: '1000000001', monthly_cap: '200.00', day_of_month: 28 });
    expect((await as('POST', '/v1/bill-autopays', { charge_inst: 'HZ_ELEC', bill_key: '1000000001', monthly_cap: '1.00', day_of_month: 31 })).body.code).toBe(
      'invalid_day_of_month',
    );
    const listed = (await as('GET', '/v1/bill-autopays')).body;
    const runAt = Date.parse(listed.autopays[0].next_run_at);
    await advance(Math.ceil((runAt - server.app.clock.now()) / 1000) + 10);
    const after = (await as('GET', '/v1/bill-autopays')).body;
    expect(after.notices).toEqual([
      expect.objectContaining({ autopay_id: over.body.autopay_id, kind: 'over_cap', amount_due: '128.50', monthly_cap: '100.00' }),
    ]);
    expect(Date.parse(after.autopays[0].next_run_at)).toBeGreaterThan(runAt);
    const paid = await server.app.sql.all<{ payment_id: string; status: string }>('SELECT payment_id, status FROM bill_payments WHERE autopay_id = ?', [
      within.body.autopay_id,
    ]);
    expect(paid.map((p) => p.status)).toEqual(['completed']);
    expect((await wallet()).balance).toBe('673.00');
    expect((await as('DELETE', `/v1/bill-autopays/${within.body.autopay_id}`)).status).toBe(204);
    // An id never issued: the last character changed. Ids issued in the same millisecond often
    // differ only there, so the other autopay's id is not taken for it.
    const id: string = within.body.autopay_id;
    const issued = new Set([id, over.body.autopay_id]);
    const unknown = ['X', 'Y', 'Z'].map((last) => `${id.slice(0, -1)}${last}`).find((candidate) => !issued.has(candidate));
    expect((await as('DELETE', `/v1/bill-autopays/${unknown}`)).status).toBe(404);
  });

  it('leaves the ledger audit clean', async () => {
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
