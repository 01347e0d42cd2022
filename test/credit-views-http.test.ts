// The credit pages' read-only lists over HTTP through the real server, on SQLite (and PostgreSQL when
// DATABASE_URL is set): a borrower's loans newest first with what repays each today, apart from those
// on a merchant's line; a buyer's statements newest first with what is used of the line and what is
// left of the minimum as it is paid; both refused without a session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUsers, relogin, type TestUser } from './support/users.ts';

describe.each(storesUnderTest())('credit lists over HTTP (%s)', (store) => {
  let server: TestServer;
  let borrower: TestUser;
  let buyer: TestUser;
  const clock = new ManualClock(Date.parse('2026-03-15T10:00:00+08:00'));
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);

  beforeAll(async () => {
    server = await startTestServer({ store, clock });
    [borrower, buyer] = await newUsers(server, 2);
    await fund(server, borrower, '5000.00');
    await fund(server, buyer, '5000.00');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('lists the caller’s loans, newest first, each with what repays it today', async () => {
    expect((await send(`${server.url}/v1/credit/loans`, undefined, 'GET')).status).toBe(401);
    expect((await as(borrower, 'GET', '/v1/credit/loans')).body).toEqual({ loans: [] });
    const first = await as(borrower, 'POST', '/v1/credit/loans', { product: 'short', amount: '1000.00', currency: 'CNY', days: 30, request_id: 'l1' });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    clock.advance(60_000);
    const second = await as(borrower, 'POST', '/v1/credit/loans', {
      product: 'instalment',
      amount: '300.00',
      currency: 'CNY',
      months: 3,
      repayment: 'annuity',
      request_id: 'l2',
    });
    expect(second.status, JSON.stringify(second.body)).toBe(201);
    clock.advance(86_400_000);
    await server.app.credit.serviceDue();
    borrower = await relogin(server, borrower);
    buyer = await relogin(server, buyer);
    const listed = await as(borrower, 'GET', '/v1/credit/loans');
    expect(listed.status).toBe(200);
    expect(listed.body.loans.map((l: { loan_id: string }) => l.loan_id)).toEqual([second.body.loan_id, first.body.loan_id]);
    // A day of interest on 1,000.00 at 0.04%: 0.40 booked, so 1,000.40 repays the short loan today.
    expect(listed.body.loans[1]).toMatchObject({
      product: 'short',
      repayment: 'single',
      principal: '1000.00',
      start_date: '2026-03-15',
      status: 'active',
      outstanding_principal: '1000.00',
      accrued_interest: '0.40',
      owed: '1000.40',
      schedule: [{ due_date: '2026-04-14', principal: '1000.00', interest: '12.00' }],
    });
    expect(listed.body.loans[0]).toMatchObject({ product: 'instalment', repayment: 'annuity', principal: '300.00' });
    // Loans on a merchant's line are listed apart; the caller has none there.
    expect((await as(borrower, 'GET', '/v1/credit/loans?merchant_id=m1')).body).toEqual({ loans: [] });
    expect((await as(buyer, 'GET', '/v1/credit/loans')).body).toEqual({ loans: [] });
  });

  it('lists the caller’s statements, newest first, with what is used and what is left of the minimum', async () => {
    expect((await send(`${server.url}/v1/paylater/statements`, undefined, 'GET')).status).toBe(401);
    expect((await as(buyer, 'GET', '/v1/paylater/statements')).body).toEqual({ used: '0.00', statements: [] });
    await server.app.credit.payLater.purchase(buyer.id, { amount: 80_000n, tradeNo: 'T-1', requestId: 'buy-1', billOnReceipt: false });
    clock.set(Date.parse('2026-04-02T10:00:00+08:00'));
    await server.app.credit.payLater.purchase(buyer.id, { amount: 5_000n, tradeNo: 'T-2', requestId: 'buy-2', billOnReceipt: false });
    buyer = await relogin(server, buyer);
    const listed = (await as(buyer, 'GET', '/v1/paylater/statements')).body;
    expect(listed.used).toBe('850.00');
    expect(listed.statements.map((s: { month: string; status: string }) => [s.month, s.status])).toEqual([
      ['2026-05', 'pending'],
      ['2026-04', 'issued'],
    ]);
    expect(listed.statements[1]).toMatchObject({ total: '800.00', minimum: '80.00', minimum_left: '80.00', outstanding: '800.00' });
    expect((await as(buyer, 'POST', '/v1/paylater/statements/2026-04/repayments', { amount: '50.00', request_id: 'p1' })).status).toBe(200);
    let april = (await as(buyer, 'GET', '/v1/paylater/statements')).body.statements[1];
    expect(april).toMatchObject({ paid: '50.00', minimum_left: '30.00', outstanding: '750.00' });
    expect((await as(buyer, 'POST', '/v1/paylater/statements/2026-04/instalments', { months: 3 })).status).toBe(200);
    april = (await as(buyer, 'GET', '/v1/paylater/statements')).body.statements[1];
    // With a plan the minimum no longer applies: the instalments do.
    expect(april).toMatchObject({ status: 'instalments', minimum_left: '0.00' });
    expect(april.instalments).toHaveLength(3);
  });
});
