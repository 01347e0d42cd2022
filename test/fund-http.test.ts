// The money-market fund end to end over the real HTTP server, on both stores, with the clock moved
// by hand and the fund's jobs ticked: a level III user subscribes on a Thursday before 15:00, is
// confirmed on Friday, earns Friday to Sunday (paid after each day, reinvested), fast-redeems to the
// cap's edge and redeems normally (arriving Tuesday), to the wallet and to a bound card (paid out
// through the bank simulator); suitability, minimum, cap and replay refusals; the 7-day yield; the
// ledger audit clean and the fund's books balanced after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { fundCustodyAccountId, fundIncomeAccountId, fundIssuanceAccountId } from '../src/modules/books/chart.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_C } from '../sim/bank/test-support.ts';
import { send } from './support/http.ts';
import { verifyTo } from './support/users.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

const at = (shanghai: string) => Date.parse(`${shanghai}+08:00`);

/** The spec's rule, written out independently: shares (fen) x R (0.0001 CNY) / 10^8, cut, fraction carried. */
function expectedIncome(startFen: bigint, rates: bigint[]): bigint[] {
  let shares = startFen;
  let carry = 0n;
  return rates.map((r) => {
    const exact = shares * r + carry;
    const paid = exact / 100_000_000n;
    carry = exact % 100_000_000n;
    shares += paid;
    return paid;
  });
}
const yuan = (fen: bigint) => `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}`;

describe.each(storesUnderTest())('money-market fund over HTTP (%s)', (store) => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let clock: ManualClock;
  let phoneSeq = 0;

  beforeAll(async () => {
    clock = new ManualClock(at('2026-03-05T10:00:00')); // a Thursday, before the cut-off
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 2_000 });
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  /** Phones by session token: sessions end when idle, so users log in again after the clock moves. */
  const phones = new Map<string, string>();
  const tokens = new Map<string, string>();
  const as = (user: string, method: string, route: string, body?: unknown) => send(server.url + route, tokens.get(user), method, body);

  async function login(phone: string): Promise<void> {
    const session = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    expect(session.status).toBe(201);
    tokens.set(phone, session.body.token);
  }

  /** Moves the clock and runs the fund's jobs, as the sandbox clock would at each due instant. */
  async function advanceTo(shanghai: string): Promise<void> {
    clock.set(at(shanghai));
    for (const name of ['fund-confirmations', 'fund-accruals']) {
      const job = server.app.jobs.find((j) => j.name === name);
      if (!job) throw new Error(`no job ${name}`);
      await job.runNow();
    }
    for (const phone of phones.values()) await login(phone);
  }

  /** A new user (by phone), verified to `level` through accepted evidence, with `credit` in the wallet. */
  async function newUser(level: 'II' | 'III', credit?: string): Promise<string> {
    phoneSeq += 1;
    const phone = `137${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq).padStart(4, '0')}`;
    expect((await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Fund Buyer' })).status).toBe(201);
    phones.set(phone, phone);
    await login(phone);
    const token = phone;
    const userId = (await as(token, 'GET', '/v1/me')).body.user_id;
    await verifyTo(server, { id: userId, phone, token: tokens.get(token) ?? '', name: 'Fund Buyer' }, level);
    if (credit) {
      const me = await as(token, 'GET', '/v1/me');
      const r = await server.call('POST', '/v1/admin/adjustments', {
        user_id: me.body.user_id,
        amount: credit,
        currency: 'CNY',
        direction: 'credit',
        reason: 'test funding',
        request_id: `credit-${phoneSeq}`,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    return token;
  }

  const subscribe = (token: string, fund_id: string, amount: string, request_id: string) =>
    as(token, 'POST', '/v1/fund/subscriptions', { fund_id, amount, currency: 'CNY', request_id });
  const redeem = (token: string, shares: string, mode: 'fast' | 'normal', request_id: string) =>
    as(token, 'POST', '/v1/fund/redemptions', { fund_id: 'mmf', shares, mode, request_id });
  const holding = async (token: string) => (await as(token, 'GET', '/v1/fund/holdings')).body.holdings.find((h: { fund_id: string }) => h.fund_id === 'mmf');
  const balance = async (token: string) => (await as(token, 'GET', '/v1/wallet')).body as { balance: string; available: string };
  const publish = (date: string, income_per_10k: string) => server.call('POST', '/v1/admin/funds/mmf/income', { date, income_per_10k });
  const netDebit = async (id: string) => {
    const a = await server.app.store.getAccount(id);
    return (a?.debitsPosted ?? 0n) - (a?.creditsPosted ?? 0n);
  };

  let buyer: string;

  it('creates funds (a replay answers the same, other terms are refused)', async () => {
    const mmf = { fund_id: 'mmf', name: 'Balance Treasure', risk_level: 1, daily_purchase_cap: '50000.00', manager: 'Tianhong', custodian: 'CITIC' };
    const created = await server.call('POST', '/v1/admin/funds', mmf);
    expect(created).toMatchObject({ status: 201, body: { ...mmf } });
    expect(await server.call('POST', '/v1/admin/funds', mmf)).toEqual(created);
    expect((await server.call('POST', '/v1/admin/funds', { ...mmf, risk_level: 2 })).body.code).toBe('fund_exists');
    expect((await server.call('POST', '/v1/admin/funds', { fund_id: 'equity', name: 'Growth', risk_level: 4 })).status).toBe(201);
    expect((await server.call('POST', '/v1/admin/funds', { fund_id: 'x', name: 'Bad', risk_level: 6 })).status).toBe(400);
    expect((await send(`${server.url}/v1/admin/funds`, undefined, 'POST', mmf)).status).toBe(401);
    // Earlier days of the yield window, published before anyone holds shares.
    for (const date of ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']) expect((await publish(date, '1.0000')).status).toBe(201);
  });

  it('asks the questionnaire first, then refuses what does not suit, is too small, or is not level III', async () => {
    buyer = await newUser('III', '30000.00');
    expect(await subscribe(buyer, 'mmf', '100.00', 'early')).toMatchObject({ status: 422, body: { code: 'risk_profile_required' } });
    const questionnaire = await as(buyer, 'GET', '/v1/risk-questionnaire');
    const questions = questionnaire.body.questions as { options: unknown[] }[];
    expect(questions.length).toBeGreaterThan(2);
    const cautious = await as(buyer, 'PUT', '/v1/me/risk-profile', { answers: questions.map(() => 0) });
    expect(cautious).toMatchObject({ status: 200, body: { risk_tolerance: 1 } });
    const mismatch = await subscribe(buyer, 'equity', '100.00', 'growth');
    expect(mismatch).toMatchObject({ status: 422, body: { code: 'suitability_mismatch', fund_risk_level: '4', risk_tolerance: '1' } });
    expect(mismatch.body.message).toMatch(/risk level 4.*tolerance 1/);
    expect((await as(buyer, 'PUT', '/v1/me/risk-profile', { answers: questions.map((q) => q.options.length - 1) })).body.risk_tolerance).toBe(5);
    expect((await as(buyer, 'PUT', '/v1/me/risk-profile', { answers: [0] })).body.code).toBe('invalid_answers');
    expect((await subscribe(buyer, 'mmf', '0.99', 'tiny')).body.code).toBe('amount_below_minimum');
    expect((await subscribe(buyer, 'nofund', '1.00', 'none')).status).toBe(404);

    const levelII = await newUser('II', '100.00');
    expect(await subscribe(levelII, 'mmf', '10.00', 'ii')).toMatchObject({ status: 403, body: { code: 'verification_required' } });
  });

  it('subscribes Thursday before 15:00: pending, confirmed Friday; replays answer the same', async () => {
    const first = await subscribe(buyer, 'mmf', '20000.00', 'sub-1');
    expect(first).toMatchObject({ status: 201, body: { status: 'pending', confirm_date: '2026-03-06' } });
    expect(await subscribe(buyer, 'mmf', '20000.00', 'sub-1')).toEqual(first);
    expect((await subscribe(buyer, 'mmf', '20001.00', 'sub-1')).status).toBe(409);
    expect(await subscribe(buyer, 'mmf', '20000.00', 'sub-2')).toMatchObject({ status: 422, body: { code: 'insufficient_funds' } });
    expect(await balance(buyer)).toMatchObject({ balance: '30000.00', available: '10000.00' });
    expect(await holding(buyer)).toEqual({
      fund_id: 'mmf',
      confirmed_shares: '0.00',
      pending_shares: '20000.00',
      yesterday_income: '0.00',
      total_income: '0.00',
    });

    await advanceTo('2026-03-06T00:00:00'); // Friday: Thursday's income (no holder yet) accrues, the subscription is confirmed
    expect(await holding(buyer)).toMatchObject({ confirmed_shares: '20000.00', pending_shares: '0.00' });
    expect(await balance(buyer)).toMatchObject({ balance: '10000.00', available: '10000.00' });
  });

  it('a purchase cap per user and day, at its edge', async () => {
    const rich = await newUser('III', '60000.00');
    const questions = (await as(rich, 'GET', '/v1/risk-questionnaire')).body.questions as unknown[];
    await as(rich, 'PUT', '/v1/me/risk-profile', { answers: questions.map(() => 1) });
    expect((await subscribe(rich, 'mmf', '30000.00', 'cap-1')).status).toBe(201);
    expect(await subscribe(rich, 'mmf', '20000.01', 'cap-2')).toMatchObject({ status: 422, body: { code: 'purchase_cap_exceeded', left: '20000.00' } });
    // Friday before 15:00: confirmed Monday.
    expect(await subscribe(rich, 'mmf', '20000.00', 'cap-3')).toMatchObject({ status: 201, body: { confirm_date: '2026-03-09' } });
  });

  it('pays Friday to Sunday after each day, cut to the fen with the fraction carried; a rerun pays nothing', async () => {
    expect((await publish('2026-03-06', '0.6543')).status).toBe(201);
    expect((await server.call('POST', '/v1/admin/funds/mmf/accruals', { date: '2026-03-06' })).body.code).toBe('accrual_not_due');
    expect((await publish('2026-03-06', '0.6544')).body.code).toBe('income_already_published');
    expect((await publish('2026-03-20', '0.6544')).body.code).toBe('invalid_date');

    await advanceTo('2026-03-09T09:00:00'); // Monday morning
    expect((await publish('2026-03-07', '0.6611')).status).toBe(201);
    expect((await publish('2026-03-08', '0.7012')).status).toBe(201);
    await advanceTo('2026-03-09T09:00:01');

    const [fri, sat, sun] = expectedIncome(2_000_000n, [6543n, 6611n, 7012n]);
    const h = await holding(buyer);
    expect(h).toEqual({
      fund_id: 'mmf',
      confirmed_shares: yuan(2_000_000n + fri + sat + sun),
      pending_shares: '0.00',
      yesterday_income: yuan(sun),
      total_income: yuan(fri + sat + sun),
    });
    const rerun = await server.call('POST', '/v1/admin/funds/mmf/accruals', { date: '2026-03-08' });
    expect(rerun).toMatchObject({ status: 200, body: { date: '2026-03-08', holders: 1, paid: yuan(sun) } });
    expect(await server.call('POST', '/v1/admin/funds/mmf/accruals', { date: '2026-03-08' })).toEqual(rerun);
    expect(await holding(buyer)).toEqual(h);
    expect((await publish('2026-03-07', '0.6611')).status).toBe(201); // the same figure again is a replay
    expect((await publish('2026-03-01', '1.0000')).body.code).toBe('income_date_closed');
  });

  it('shows the 7-day annualized yield once seven days are published', async () => {
    const funds = (await send(`${server.url}/v1/funds`, undefined, 'GET')).body.funds;
    const mmf = funds.find((f: { fund_id: string }) => f.fund_id === 'mmf');
    const rates = [1, 1, 1, 1, 0.6543, 0.6611, 0.7012];
    const expected = (rates.reduce((p, r) => p * (1 + r / 10_000), 1) ** (365 / 7) - 1) * 100;
    expect(mmf).toMatchObject({ name: 'Balance Treasure', risk_level: 1, income_per_10k: '0.7012' });
    expect(Math.abs(Number(mmf.seven_day_yield) - expected)).toBeLessThan(0.0006);
    expect(funds.find((f: { fund_id: string }) => f.fund_id === 'equity')).toMatchObject({ income_per_10k: null, seven_day_yield: null });
    const history = (await send(`${server.url}/v1/funds/mmf/yields?days=30`, undefined, 'GET')).body.yields;
    expect(history.map((d: { date: string }) => d.date)).toEqual([
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
      '2026-03-05',
      '2026-03-06',
      '2026-03-07',
      '2026-03-08',
    ]);
    expect(history.slice(0, 6).every((d: { seven_day_yield: unknown }) => d.seven_day_yield === null)).toBe(true);
    expect(history[6].seven_day_yield).toBe(mmf.seven_day_yield);
  });

  it('fast redemption: to the wallet at once, 10,000.00 per fund per day, refused past the edge with what is left', async () => {
    const fastLeft = async () => (await as(buyer, 'GET', '/v1/fund/fast-redemption?fund_id=mmf')).body;
    expect(await fastLeft()).toEqual({ fund_id: 'mmf', cap: '10000.00', left: '10000.00' });
    expect((await as(buyer, 'GET', '/v1/fund/fast-redemption?fund_id=nope')).status).toBe(404);
    const before = await balance(buyer);
    expect(await redeem(buyer, '10000.01', 'fast', 'fast-0')).toMatchObject({ status: 422, body: { code: 'fast_redemption_limit', left: '10000.00' } });
    expect(await redeem(buyer, '6000.00', 'fast', 'fast-1')).toMatchObject({ status: 201, body: { status: 'completed', arrives_on: '2026-03-09' } });
    expect(await redeem(buyer, '4000.01', 'fast', 'fast-2')).toMatchObject({ status: 422, body: { left: '4000.00' } });
    expect((await fastLeft()).left).toBe('4000.00');
    const edge = await redeem(buyer, '4000.00', 'fast', 'fast-3');
    expect(edge.status).toBe(201);
    expect(await redeem(buyer, '4000.00', 'fast', 'fast-3')).toEqual(edge);
    expect(await redeem(buyer, '0.01', 'fast', 'fast-4')).toMatchObject({ status: 422, body: { left: '0.00' } });
    expect((await fastLeft()).left).toBe('0.00');
    expect((await balance(buyer)).balance).toBe(yuan(BigInt(before.balance.replace('.', '')) + 1_000_000n));
  });

  it('normal redemption: pending until the next trading day, never more than the confirmed shares', async () => {
    expect(await redeem(buyer, '100000.00', 'normal', 'too-many')).toMatchObject({ status: 422, body: { code: 'insufficient_shares' } });
    const before = await balance(buyer);
    const normal = await redeem(buyer, '1000.00', 'normal', 'normal-1');
    expect(normal).toMatchObject({ status: 201, body: { status: 'pending', arrives_on: '2026-03-10' } });
    expect((await balance(buyer)).balance).toBe(before.balance);
    const shares = (await holding(buyer)).confirmed_shares;
    await advanceTo('2026-03-10T00:00:00');
    expect((await balance(buyer)).balance).toBe(yuan(BigInt(before.balance.replace('.', '')) + 100_000n));
    expect((await holding(buyer)).confirmed_shares).toBe(shares);
    expect(await redeem(buyer, '1000.00', 'normal', 'normal-1')).toEqual(normal);
  });

  it('normal redemption to a bound card: pending, then on arrival paid out to the card (kept in the wallet when the bank declines); never fast, never an unbound card', async () => {
    const started = await as(buyer, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_C, name: 'Li Lei', id_no: '110101199001011234', phone: buyer });
    const sms = await send(`${bank.url}/sim/sms?phone=${buyer}`, undefined, 'GET');
    const code = sms.body.messages.at(-1).code;
    expect((await as(buyer, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: code })).status).toBe(200);
    const cardId: string = started.body.card_id;
    const cardBalance = async () => (await send(`${bank.url}/sim/cards/balance`, undefined, 'POST', { card_no: CARD_C })).body.balance as string;
    const toCard = (shares: string, mode: 'fast' | 'normal', request_id: string, card_id = cardId) =>
      as(buyer, 'POST', '/v1/fund/redemptions', { fund_id: 'mmf', shares, mode, request_id, card_id });

    expect(await toCard('10.00', 'fast', 'card-fast')).toMatchObject({ status: 400 });
    expect(await toCard('10.00', 'normal', 'card-unknown', 'card_nope')).toMatchObject({ status: 404 });
    const wallet = await balance(buyer);
    const onCard = await cardBalance();
    const shares = (await holding(buyer)).confirmed_shares;
    const normal = await toCard('250.00', 'normal', 'card-1');
    expect(normal).toMatchObject({ status: 201, body: { status: 'pending', arrives_on: '2026-03-11' } });
    expect(await toCard('250.00', 'normal', 'card-1')).toEqual(normal);
    expect(await toCard('250.00', 'normal', 'card-1', 'card_other')).toMatchObject({ status: 409, body: { code: 'request_id_reused' } });
    expect((await holding(buyer)).confirmed_shares).toBe(yuan(BigInt(shares.replace('.', '')) - 25_000n));
    const latestSale = async () => (await as(buyer, 'GET', '/v1/fund/redemptions?limit=1')).body.redemptions;
    const sale = { redemption_id: normal.body.redemption_id, fund_id: 'mmf', shares: '250.00', mode: 'normal', card_id: cardId, arrives_on: '2026-03-11' };
    expect(await latestSale()).toEqual([{ ...sale, status: 'pending', paid_to: null, created_at: expect.any(String) }]);

    await advanceTo('2026-03-11T00:00:00');
    expect(await latestSale()).toEqual([{ ...sale, status: 'completed', paid_to: 'card', created_at: expect.any(String) }]);
    expect(await balance(buyer)).toEqual(wallet);
    expect(await cardBalance()).toBe(yuan(BigInt(onCard.replace('.', '')) + 25_000n));
    const payout = await server.app.sql.all<{ kind: string; status: string; amount_minor: bigint }>(
      "SELECT kind, status, amount_minor FROM channel_operations WHERE op_id = (SELECT payout_op_id FROM fund_redemptions WHERE request_id = 'card-1')",
    );
    expect(payout).toEqual([{ kind: 'withdrawal', status: 'succeeded', amount_minor: 25_000n }]);
    await advanceTo('2026-03-11T00:00:01');
    expect(await cardBalance()).toBe(yuan(BigInt(onCard.replace('.', '')) + 25_000n));

    // The bank declines the next payout: the money stays in the wallet, and the list says where it is.
    const declined = await toCard('10.00', 'normal', 'card-2');
    expect(declined).toMatchObject({ status: 201, body: { arrives_on: '2026-03-12' } });
    await send(`${bank.url}/sim/banks/ICBC/config`, undefined, 'POST', { failure_rate: 1 });
    await advanceTo('2026-03-12T00:00:00');
    await send(`${bank.url}/sim/banks/ICBC/config`, undefined, 'POST', { failure_rate: 0 });
    expect(await latestSale()).toMatchObject([{ redemption_id: declined.body.redemption_id, card_id: cardId, status: 'completed', paid_to: 'wallet' }]);
    expect((await balance(buyer)).balance).toBe(yuan(BigInt(wallet.balance.replace('.', '')) + 1_000n));
    expect(await cardBalance()).toBe(yuan(BigInt(onCard.replace('.', '')) + 25_000n));

    // The list pages newest first: one at a time, each sale once, in the order of the whole list.
    const whole = (await as(buyer, 'GET', '/v1/fund/redemptions?limit=100')).body;
    expect(whole.next).toBeNull();
    expect(whole.redemptions.length).toBeGreaterThanOrEqual(2);
    const paged: string[] = [];
    for (let before: string | null = ''; before !== null; ) {
      const page = await as(buyer, 'GET', `/v1/fund/redemptions?limit=1${before ? `&before=${before}` : ''}`);
      expect(page.status).toBe(200);
      paged.push(...page.body.redemptions.map((r: { redemption_id: string }) => r.redemption_id));
      before = page.body.next;
    }
    expect(paged).toEqual(whole.redemptions.map((r: { redemption_id: string }) => r.redemption_id));
    for (const bad of ['bm9wZQ', 'WzEsMl0', '%21%21']) {
      const refused = await as(buyer, 'GET', `/v1/fund/redemptions?before=${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(['invalid_cursor', 'invalid_request'], bad).toContain(refused.body.code);
    }
  });

  it('leaves the ledger audit clean and the fund balanced: cash held = shares outstanding', async () => {
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
    const outstanding = await netDebit(fundIssuanceAccountId('mmf'));
    expect(-(await netDebit(fundCustodyAccountId('mmf')))).toBe(outstanding);
    const kept = -(await netDebit(fundIncomeAccountId('mmf')));
    expect(kept).toBeGreaterThanOrEqual(0n);
    expect(kept).toBeLessThanOrEqual(2n); // under a fen per holder
  });

  it("the operations dashboard shows each fund's assets under management and its latest day's income paid", async () => {
    const custody = -(await netDebit(fundCustodyAccountId('mmf')));
    const paid = await server.app.sql.get<{ date: string; paid_minor: bigint; paid_holders: bigint }>(
      "SELECT date, paid_minor, paid_holders FROM fund_incomes WHERE fund_id = 'mmf' AND status = 'done' ORDER BY date DESC LIMIT 1",
    );
    expect(paid?.paid_minor).toBeGreaterThan(0n);
    const dash = await server.call('GET', '/v1/admin/dashboard');
    expect(dash.status).toBe(200);
    expect(dash.body.funds.find((f: { fund_id: string }) => f.fund_id === 'mmf')).toEqual({
      fund_id: 'mmf',
      name: expect.any(String),
      aum: yuan(custody),
      income_date: paid?.date,
      income_paid: yuan(paid?.paid_minor ?? 0n),
      holders_paid: Number(paid?.paid_holders),
    });
    expect((await send(`${server.url}/v1/admin/dashboard`, undefined, 'GET')).status).toBe(401);
  });
});
