// The merchant console over HTTP on the real server: owners named by the operator or approved from
// a self-service application, staff added by phone, and the role checked on every route (support
// may not touch money, finance may not answer disputes, only the owner manages keys and staff,
// another merchant's staff and strangers see 404). A refund with its reason, a dispute answered then
// decided, the day's bill, the timeline, the balance. SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import type { ManualClock } from '../src/engine/clock.ts';
import { withCheckCharacter } from '../src/modules/merchant/credit-code.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { type Reply, send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUser, type TestUser } from './support/users.ts';

const DAY_MS = 86_400_000;
const CREDIT_CODE = withCheckCharacter('91310000MA1FL0000');

describe.each(storesUnderTest())('merchant console over HTTP (%s)', (store) => {
  let server: TestServer;
  let owner: TestUser;
  let finance: TestUser;
  let support: TestUser;
  let stranger: TestUser;
  let otherOwner: TestUser;
  let buyer: TestUser;
  let merchantId = '';
  let otherMerchantId = '';
  let seq = 0;

  /** Like `send`, but a CSV answer (a bill) comes back as its text. */
  async function as(user: TestUser | undefined, method: string, route: string, body?: unknown): Promise<Reply> {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (user) headers.authorization = `Bearer ${user.token}`;
    const response = await fetch(server.url + route, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json');
    return { status: response.status, body: json ? JSON.parse(text) : text };
  }
  const at = (route: string) => `/v1/merchant-console/merchants/${merchantId}${route}`;

  async function login(user: TestUser): Promise<TestUser> {
    const session = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: user.phone, password: 'correct horse' });
    return { ...user, token: session.body.token };
  }

  async function paidTrade(kind: 'FAST_INSTANT_TRADE_PAY' | 'ESCROW_TRADE_PAY', amountMinor: bigint) {
    const t = await server.app.trades.create(merchantId, {
      outTradeNo: `${store}-${++seq}`,
      subject: 'Tea set',
      totalAmountMinor: amountMinor,
      productCode: kind,
    });
    const paid = await as(buyer, 'POST', `/v1/trades/${t.tradeNo}/pay`, { request_id: `pay-${seq}` });
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    return t.tradeNo;
  }

  beforeAll(async () => {
    server = await startTestServer({ store });
    [owner, finance, support, stranger, otherOwner, buyer] = await Promise.all(
      ['Owner', 'Finance', 'Support', 'Stranger', 'Other owner', 'Buyer'].map((n) => newUser(server, n)),
    );
    await fund(server, buyer, '1000.00');
    const created = await server.call('POST', '/v1/admin/merchants', {
      name: 'Tea House',
      public_key: rsaKeyPair().publicKey,
      fee_bps: 60,
      owner_phone: owner.phone,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    merchantId = created.body.merchant_id;
    const other = await server.call('POST', '/v1/admin/merchants', {
      name: 'Rival',
      public_key: rsaKeyPair().publicKey,
      fee_bps: 60,
      owner_phone: otherOwner.phone,
    });
    otherMerchantId = other.body.merchant_id;
    expect((await as(owner, 'POST', at('/staff'), { phone: finance.phone, role: 'finance' })).status).toBe(201);
    expect((await as(owner, 'POST', at('/staff'), { phone: support.phone, role: 'support' })).status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it('names the owner at registration, refuses an unknown owner phone, and lists each user their merchants', async () => {
    const unknown = await server.call('POST', '/v1/admin/merchants', {
      name: 'Ghost',
      public_key: rsaKeyPair().publicKey,
      fee_bps: 0,
      owner_phone: '13700000000',
    });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'user_not_found']);
    expect((await as(owner, 'GET', '/v1/merchant-console/merchants')).body.merchants).toEqual([
      { merchant_id: merchantId, name: 'Tea House', app_id: expect.any(String), role: 'owner' },
    ]);
    expect((await as(support, 'GET', '/v1/merchant-console/merchants')).body.merchants.map((m: { role: string }) => m.role)).toEqual(['support']);
    expect((await as(stranger, 'GET', '/v1/merchant-console/merchants')).body.merchants).toEqual([]);
    expect((await as(undefined, 'GET', '/v1/merchant-console/merchants')).status).toBe(401);
    const staff = await as(owner, 'GET', at('/staff'));
    expect(staff.body.staff.map((s: { role: string }) => s.role)).toEqual(['owner', 'finance', 'support']);
    expect((await as(owner, 'POST', at('/staff'), { phone: support.phone, role: 'finance' })).body.code).toBe('staff_exists');
    expect((await as(owner, 'POST', at('/staff'), { phone: support.phone, role: 'boss' })).status).toBe(400);
    expect((await as(owner, 'DELETE', at(`/staff/${owner.id}`))).body.code).toBe('last_owner');
  });

  it('checks the role on every route: 403 for a role that may not, 404 for other merchants and strangers', async () => {
    const tradeNo = await paidTrade('FAST_INSTANT_TRADE_PAY', 1_000n);
    const routes: { method: string; route: string; body?: unknown; allowed: string[] }[] = [
      { method: 'GET', route: at('/staff'), allowed: ['owner'] },
      { method: 'POST', route: at('/staff'), body: { phone: stranger.phone, role: 'support' }, allowed: ['owner'] },
      { method: 'GET', route: at('/trades'), allowed: ['owner', 'finance', 'support'] },
      { method: 'GET', route: at(`/trades/${tradeNo}`), allowed: ['owner', 'finance', 'support'] },
      {
        method: 'POST',
        route: at(`/trades/${tradeNo}/refunds`),
        body: { amount: '0.01', currency: 'CNY', reason: 'chipped lid', out_request_no: 'role-check' },
        allowed: ['owner', 'finance'],
      },
      { method: 'POST', route: at(`/trades/${tradeNo}/dispute-answer`), body: { answer: 'no dispute' }, allowed: ['owner', 'support'] },
      { method: 'GET', route: at('/bills/2020-01-01'), allowed: ['owner', 'finance'] },
      { method: 'GET', route: at('/notifications/failed'), allowed: ['owner', 'finance', 'support'] },
      { method: 'GET', route: at('/sdk-config'), allowed: ['owner'] },
      { method: 'POST', route: at('/keys'), body: { public_key: rsaKeyPair().publicKey }, allowed: ['owner'] },
      { method: 'GET', route: at('/balance'), allowed: ['owner', 'finance'] },
    ];
    const people = { finance, support, stranger, otherOwner };
    for (const r of routes) {
      for (const [name, user] of Object.entries(people)) {
        const reply = await as(user, r.method, r.route, r.body);
        const expected = name === 'stranger' || name === 'otherOwner' ? 404 : r.allowed.includes(name) ? 'allowed' : 403;
        const label = `${name} ${r.method} ${r.route}: ${JSON.stringify(reply.body)}`;
        // Allowed: past the role check (the action itself may still refuse, e.g. no dispute to answer).
        if (expected === 'allowed') expect(['merchant_role_forbidden', 'merchant_not_found'], label).not.toContain(reply.body?.code);
        else expect(reply.status, label).toBe(expected);
        if (reply.status === 403) expect(reply.body.code).toBe('merchant_role_forbidden');
        if (reply.status === 404 && expected === 404) expect(reply.body.code).toBe('merchant_not_found');
      }
      expect((await as(undefined, r.method, r.route, r.body)).status, r.route).toBe(401);
    }
    // The other merchant's owner reaches their own merchant, but not this merchant's trade through it.
    const across = await as(otherOwner, 'GET', `/v1/merchant-console/merchants/${otherMerchantId}/trades/${tradeNo}`);
    expect([across.status, across.body.code]).toEqual([404, 'TRADE_NOT_EXIST']);
  });

  it('refunds part of a trade with its reason, replays it, and shows it on the timeline and the list filters', async () => {
    const tradeNo = await paidTrade('FAST_INSTANT_TRADE_PAY', 5_000n);
    const refund = { amount: '12.50', currency: 'CNY', reason: 'one cup broken', out_request_no: 'r1' };
    const first = await as(finance, 'POST', at(`/trades/${tradeNo}/refunds`), refund);
    expect(first.body, JSON.stringify(first.body)).toMatchObject({ refund_amount: '12.50', refunded_total: '12.50', fund_change: 'Y' });
    expect((await as(owner, 'POST', at(`/trades/${tradeNo}/refunds`), refund)).body).toMatchObject({ fund_change: 'N', refunded_total: '12.50' });
    expect((await as(owner, 'POST', at(`/trades/${tradeNo}/refunds`), { ...refund, out_request_no: 'r2', amount: '40.00' })).body.code).toBe(
      'REFUND_AMT_EXCEED',
    );
    const timeline = (await as(support, 'GET', at(`/trades/${tradeNo}`))).body;
    expect(timeline.trade).toMatchObject({ trade_no: tradeNo, trade_status: 'TRADE_SUCCESS', refunded_amount: '12.50' });
    expect(timeline.refunds).toEqual([expect.objectContaining({ out_request_no: 'r1', amount: '12.50', status: 'done', reason: 'one cup broken' })]);
    expect(timeline.events.map((e: { kind: string }) => e.kind)).toEqual(['created', 'paid', 'settled', 'refunded']);
    const full = await as(owner, 'POST', at(`/trades/${tradeNo}/refunds`), { ...refund, out_request_no: 'r3', amount: '37.50' });
    expect(full.body.refunded_total).toBe('50.00');
    const closed = await as(owner, 'GET', at(`/trades?status=TRADE_CLOSED&limit=5`));
    expect(closed.body.trades.map((t: { trade_no: string }) => t.trade_no)).toContain(tradeNo);
    const success = await as(owner, 'GET', at('/trades?status=TRADE_SUCCESS&limit=100'));
    expect(success.body.trades.map((t: { trade_no: string }) => t.trade_no)).not.toContain(tradeNo);
    const byNo = await as(owner, 'GET', at(`/trades?out_trade_no=${timeline.trade.out_trade_no}`));
    expect(byNo.body.trades).toHaveLength(1);
    const later = await as(owner, 'GET', at(`/trades?from=${server.clock.now() + 1}`));
    expect(later.body.trades).toEqual([]);
    expect((await as(owner, 'GET', at('/trades?status=PAID'))).status).toBe(400);
  });

  it('pages the trades by limit and an opaque cursor, newest first, each once; a bad limit or cursor is 400', async () => {
    // Trades of the earlier tests were made before this instant; the list from it holds these five only.
    (server.clock as ManualClock).advance(1);
    const from = server.clock.now();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await paidTrade('FAST_INSTANT_TRADE_PAY', 1_000n + BigInt(i)));
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Reply = await as(support, 'GET', at(`/trades?from=${from}&limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.trades.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.trades.map((t: { trade_no: string }) => t.trade_no));
      // The trade number of the page's last trade stays in `next`; `next_cursor` is the opaque form of it.
      expect(page.body.next === null).toBe(page.body.next_cursor === null);
      cursor = page.body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...made].reverse());
    for (const bad of ['nope', 'dDE6', Buffer.from('t1:a:b').toString('base64url'), Buffer.from('t9:trd_1').toString('base64url'), 'x'.repeat(300)]) {
      const answer = await as(owner, 'GET', at(`/trades?cursor=${bad}`));
      expect({ bad, status: answer.status, code: answer.body.code }).toEqual({ bad, status: 400, code: 'invalid_cursor' });
    }
    const both = await as(owner, 'GET', at(`/trades?after=${made[4]}&cursor=${Buffer.from(`t1:${made[4]}`).toString('base64url')}`));
    expect({ status: both.status, code: both.body.code }).toEqual({ status: 400, code: 'invalid_cursor' });
    for (const limit of ['0', '101', '2.5', 'ten']) expect((await as(owner, 'GET', at(`/trades?limit=${limit}`))).status).toBe(400);
  });

  it("takes the seller's answer to a dispute, then the operator's decision, and shows both", async () => {
    const tradeNo = await paidTrade('ESCROW_TRADE_PAY', 3_000n);
    await as(buyer, 'POST', `/v1/trades/${tradeNo}/disputes`, { reason: 'never arrived' });
    const answered = await as(support, 'POST', at(`/trades/${tradeNo}/dispute-answer`), { answer: 'Shipped by SF, waybill SF123, signed for on the 3rd' });
    expect(answered.body, JSON.stringify(answered.body)).toMatchObject({ status: 'answered', answer: 'Shipped by SF, waybill SF123, signed for on the 3rd' });
    expect((await server.call('POST', `/v1/admin/trades/${tradeNo}/dispute-decision`, { decision: 'release', note: 'waybill checks out' })).status).toBe(200);
    const timeline = (await as(owner, 'GET', at(`/trades/${tradeNo}`))).body;
    expect(timeline.dispute).toMatchObject({
      status: 'released',
      answer: 'Shipped by SF, waybill SF123, signed for on the 3rd',
      operator_note: 'waybill checks out',
    });
    expect(timeline.trade.trade_status).toBe('TRADE_SUCCESS');
    expect(timeline.events.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['disputed', 'dispute_decided', 'settled']));
    expect((await as(owner, 'POST', at(`/trades/${tradeNo}/dispute-answer`), { answer: 'too late' })).body.code).toBe('TRADE_STATUS_ERROR');
  });

  it("downloads a closed day's bill, shows the balance, and gives the owner the SDK configuration", async () => {
    const paidAt = server.clock.now();
    const tradeNo = await paidTrade('FAST_INSTANT_TRADE_PAY', 2_000n);
    const day = new Date(paidAt + 8 * 3_600_000).toISOString().slice(0, 10);
    expect((await as(finance, 'GET', at(`/bills/${day}`))).body.code).toBe('bill_not_ready');
    (server.clock as ManualClock).advance(DAY_MS);
    // A day later the morning's session has lapsed: log in again.
    finance = await login(finance);
    owner = await login(owner);
    const bill = await fetch(server.url + at(`/bills/${day}`), { headers: { authorization: `Bearer ${finance.token}` } });
    expect(bill.status).toBe(200);
    expect(bill.headers.get('content-type')).toContain('text/csv');
    expect(await bill.text()).toContain(tradeNo);
    const balance = await as(finance, 'GET', at('/balance'));
    expect(balance.body).toMatchObject({ currency: 'CNY', balance: expect.stringMatching(/^\d+\.\d{2}$/) });
    expect(Number(balance.body.balance)).toBeGreaterThan(0);
    const config = await as(owner, 'GET', at('/sdk-config'));
    expect(config.body).toMatchObject({
      app_id: expect.stringMatching(/^\d{16}$/),
      gateway: `${server.url}/gateway.do`,
      endpoint: server.url,
      sign_type: 'RSA2',
    });
    expect(config.body.alipay_public_key).toContain('BEGIN PUBLIC KEY');
  });

  it('lets a user apply; the check fails a bad credit code; the operator approves the good one and the applicant owns it', async () => {
    const applicant = await newUser(server, 'Applicant');
    const body = { name: 'Noodle Bar', credit_code: CREDIT_CODE, contact_name: 'Wang Fang', public_key: rsaKeyPair().publicKey };
    const good = await as(applicant, 'POST', '/v1/merchant-applications', body);
    expect(good.body, JSON.stringify(good.body)).toMatchObject({ status: 'pending', check_result: 'passed', merchant_id: null });
    const bad = await as(applicant, 'POST', '/v1/merchant-applications', {
      ...body,
      credit_code: `${CREDIT_CODE.slice(0, 17)}${CREDIT_CODE[17] === '0' ? '1' : '0'}`,
    });
    expect(bad.body.check_result).toMatch(/check character/);
    expect((await as(undefined, 'POST', '/v1/merchant-applications', body)).status).toBe(401);
    expect((await as(applicant, 'POST', '/v1/merchant-applications', { ...body, credit_code: 'short' })).status).toBe(400);

    const pending = await server.call('GET', '/v1/admin/merchant-applications?status=pending');
    expect(pending.body.applications.map((a: { application_id: string }) => a.application_id)).toEqual(
      expect.arrayContaining([good.body.application_id, bad.body.application_id]),
    );
    expect((await as(applicant, 'GET', '/v1/admin/merchant-applications')).status).toBe(401);
    const refused = await server.call('POST', `/v1/admin/merchant-applications/${bad.body.application_id}/decision`, { decision: 'approve', fee_bps: 60 });
    expect([refused.status, refused.body.code]).toEqual([409, 'application_check_failed']);
    expect(
      (await server.call('POST', `/v1/admin/merchant-applications/${bad.body.application_id}/decision`, { decision: 'reject', note: 'invalid credit code' }))
        .body,
    ).toMatchObject({ status: 'rejected', note: 'invalid credit code' });
    const approved = await server.call('POST', `/v1/admin/merchant-applications/${good.body.application_id}/decision`, {
      decision: 'approve',
      fee_bps: 55,
      note: 'licence seen',
    });
    expect(approved.body).toMatchObject({ status: 'approved', merchant_id: expect.any(String) });
    const again = await server.call('POST', `/v1/admin/merchant-applications/${good.body.application_id}/decision`, {
      decision: 'reject',
      note: 'changed my mind',
    });
    expect([again.status, again.body.code]).toEqual([409, 'application_decided']);
    expect((await server.call('POST', '/v1/admin/merchant-applications/map_none/decision', { decision: 'reject', note: 'x' })).status).toBe(404);

    const mine = await as(applicant, 'GET', '/v1/merchant-console/merchants');
    expect(mine.body.merchants).toEqual([{ merchant_id: approved.body.merchant_id, name: 'Noodle Bar', app_id: expect.any(String), role: 'owner' }]);
    expect((await as(applicant, 'GET', '/v1/merchant-applications')).body.applications.map((a: { status: string }) => a.status)).toEqual([
      'approved',
      'rejected',
    ]);
    // The audit trail holds each step of the application and of the merchant.
    const trail = [
      ...(await server.app.merchants.audit.list(server.app.sql, good.body.application_id)),
      ...(await server.app.merchants.audit.list(server.app.sql, approved.body.merchant_id)),
    ];
    expect(trail.map((e) => e.kind)).toEqual(['application_submitted', 'application_approved', 'merchant_created', 'staff_added']);
  });

  it("leaves the ledger's audit clean after the refunds, disputes and registrations above", async () => {
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
