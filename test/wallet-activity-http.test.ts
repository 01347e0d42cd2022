// GET /v1/wallet/activity over HTTP: one line per thing the user did, newest first, with who it
// was with (masked), the sign as a direction, and a top-up that settles late as ONE line whose
// status changes (the ledger's statement shows it twice). Paged by an opaque cursor. Against the
// bank simulator on a real port; SQLite always, PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/engine/clock.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { maskName, maskPhone, monthRange } from '../src/modules/wallet/activity.ts';
import { chinaIso } from '../src/modules/wallet/activity-export.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { missingCharacters } from './support/pdf-text.ts';

const ALICE = { phone: '13600000201', password: 'alice-password', name: '王小丽' };
const BOB = { phone: '13600000202', password: 'bob-password', name: 'Bob Li' };

describe('masking', () => {
  it('keeps enough of a name and a phone to recognise them', () => {
    expect(maskName('王小丽')).toBe('王*丽');
    expect(maskName('李四')).toBe('李*');
    expect(maskName('Bob Li')).toBe('B****i');
    expect(maskName('X')).toBe('*');
    expect(maskPhone('13800000102')).toBe('138****0102');
    expect(maskPhone('+44 20 7946 0958')).toBe('****0958');
  });

  it('reads months and times in China time', () => {
    expect(monthRange('2026-03')).toEqual({ from: Date.parse('2026-02-28T16:00:00Z'), to: Date.parse('2026-03-31T16:00:00Z') });
    expect(monthRange('2026-12').to).toBe(Date.parse('2026-12-31T16:00:00Z'));
    expect(chinaIso(Date.parse('2026-02-28T16:30:00Z'))).toBe('2026-03-01T00:30:00.000+08:00');
  });
});

describe.each(storesUnderTest())('wallet activity over HTTP (%s)', (store) => {
  let bank: RunningBankSimulator;
  let server: TestServer;
  const clock = new ManualClock();
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 400 });
    for (const person of [ALICE, BOB]) {
      const user = await server.app.identity.register(person);
      await server.app.wallet.openWallet(user.id);
      await server.app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
      tokens[person.phone] = (await server.app.identity.login(person)).token;
    }
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  const as = (phone: string, route: string, method = 'GET', body?: unknown) => send(server.url + route, tokens[phone], method, body);
  const sim = (route: string, body: unknown) => send(bank.url + route, undefined, 'POST', body);
  const lines = async (phone: string) => (await as(phone, '/v1/wallet/activity?limit=100')).body.items;

  async function bindCard(): Promise<string> {
    // The bank binds a card only in the name of a customer it knows.
    await sim('/sim/customers', { name: ALICE.name, id_no: '110101199001011234' });
    const started = await as(ALICE.phone, '/v1/cards', 'POST', {
      bank: 'ICBC',
      card_no: CARD_A,
      name: ALICE.name,
      id_no: '110101199001011234',
      phone: ALICE.phone,
    });
    const sms = await send(`${bank.url}/sim/sms?phone=${ALICE.phone}`, undefined, 'GET');
    await as(ALICE.phone, `/v1/cards/${started.body.card_id}/confirm`, 'POST', { sms_code: sms.body.messages[0].code });
    return started.body.card_id;
  }

  it('refuses a caller without a session and a cursor it did not hand out', async () => {
    expect((await send(`${server.url}/v1/wallet/activity`, undefined, 'GET')).status).toBe(401);
    const bad = await as(ALICE.phone, '/v1/wallet/activity?before=bm90LWEtY3Vyc29y');
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_cursor');
  });

  it('shows each thing once, newest first, with the counterparty masked', async () => {
    const alice = (await server.app.identity.findByPhone(ALICE.phone))!;
    await server.app.wallet.adjust({
      userId: alice.id,
      amountMinor: 50_000n,
      currency: 'CNY',
      direction: 'credit',
      reason: 'welcome',
      requestId: 'act-credit',
    });
    clock.advance(1000);
    const cardId = await bindCard();
    await sim('/sim/banks/ICBC/config', { timeout_rate: 1, late_answer_ms: 1500 });
    const late = await as(ALICE.phone, '/v1/wallet/topups', 'POST', { card_id: cardId, amount: '20.00', currency: 'CNY', request_id: 'act-topup' });
    await sim('/sim/banks/ICBC/config', { timeout_rate: 0 });
    expect(late.body.status).toBe('pending');
    const pending = (await lines(ALICE.phone))[0];
    expect(pending).toMatchObject({
      kind: 'topup',
      direction: 'in',
      amount: '20.00',
      status: 'pending',
      counterparty: { kind: 'card', name: 'ICBC', last4: CARD_A.slice(-4) },
    });

    const resolved = await server.call('POST', '/v1/admin/channel-operations/resolve');
    expect(resolved.body.resolved, JSON.stringify(resolved.body)).toBe(1);
    clock.advance(1000);
    const paid = await as(ALICE.phone, '/v1/wallet/transfers', 'POST', {
      to_phone: BOB.phone,
      amount: '12.34',
      currency: 'CNY',
      request_id: 'act-pay',
      memo: 'noodles',
    });
    expect(paid.status).toBe(200);
    clock.advance(1000);
    const merchant = await server.app.merchants.create({ name: 'Tea House', publicKeyPem: rsaKeyPair().publicKey, feeBps: 60, notifyUrl: undefined });
    const { trade } = await server.app.trades.precreate(merchant.merchantId, { outTradeNo: 'act-order', subject: 'Longjing tea', totalAmountMinor: 3_000n });
    expect((await as(ALICE.phone, `/v1/trades/${trade.tradeNo}/pay`, 'POST', { request_id: 'act-trade' })).status).toBe(200);

    const mine = await lines(ALICE.phone);
    expect(mine.map((l: { kind: string; status: string; amount: string }) => [l.kind, l.status, l.amount])).toEqual([
      ['payment', 'completed', '30.00'],
      ['transfer_out', 'completed', '12.34'],
      ['topup', 'completed', '20.00'],
      ['credit', 'completed', '500.00'],
    ]);
    expect(mine[0]).toMatchObject({ direction: 'out', counterparty: { kind: 'merchant', name: 'Tea House' }, memo: 'Longjing tea' });
    expect(mine[1]).toMatchObject({ direction: 'out', memo: 'noodles', counterparty: { kind: 'user', name: 'B****i', phone: '136****0202' } });
    expect(mine[2].id).toBe(pending.id);
    expect(mine[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // The ledger's statement has the top-up twice (pending, then its posting); the activity once.
    const statement = (await as(ALICE.phone, '/v1/wallet/statement?limit=100')).body.lines;
    expect(statement.filter((l: { kind: string }) => l.kind === 'topup')).toHaveLength(2);

    const bobs = await lines(BOB.phone);
    expect(bobs).toEqual([
      expect.objectContaining({ kind: 'transfer_in', direction: 'in', amount: '12.34', counterparty: { kind: 'user', name: '王*丽', phone: '136****0201' } }),
    ]);
  });

  it('pages newest first without gaps or repeats', async () => {
    const all = await lines(ALICE.phone);
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const page: { status: number; body: { items: { id: string }[]; next: string | null } } = await as(
        ALICE.phone,
        `/v1/wallet/activity?limit=3${before ? `&before=${before}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.items.map((i) => i.id));
      before = page.body.next;
    } while (before);
    expect(seen).toEqual(all.map((l: { id: string }) => l.id));
  });

  it('filters by month and kind, and refuses a month that is not one', async () => {
    const all = await lines(ALICE.phone);
    const month = chinaIso(Date.parse(all[0].created_at)).slice(0, 7);
    const [year, monthNo] = month.split('-').map(Number);
    const nextMonth = monthNo === 12 ? `${year + 1}-01` : `${year}-${String(monthNo + 1).padStart(2, '0')}`;
    const ids = async (query: string) => (await as(ALICE.phone, `/v1/wallet/activity?limit=100&${query}`)).body.items.map((l: { id: string }) => l.id);
    expect(await ids(`month=${month}`)).toEqual(all.map((l: { id: string }) => l.id));
    expect(await ids(`month=${nextMonth}`)).toEqual([]);
    for (const kind of ['topup', 'credit', 'payment', 'transfer_out']) {
      expect(await ids(`kind=${kind}&month=${month}`), kind).toEqual(all.filter((l: { kind: string }) => l.kind === kind).map((l: { id: string }) => l.id));
    }
    expect(await ids('kind=withdrawal')).toEqual([]);
    for (const bad of ['month=2026-13', 'month=march', 'kind=gift']) {
      const refused = await as(ALICE.phone, `/v1/wallet/activity?${bad}`);
      expect(refused.status, bad).toBe(400);
      expect(refused.body.code, bad).toBe('invalid_request');
    }
  });

  it("opens one line and its PDF receipt, and never another wallet's line", async () => {
    const [payment, transfer] = await lines(ALICE.phone);
    const one = await as(ALICE.phone, `/v1/wallet/activity/${encodeURIComponent(transfer.id)}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual(transfer);
    const receipt = await fetch(`${server.url}/v1/wallet/activity/${encodeURIComponent(payment.id)}/receipt`, {
      headers: { authorization: `Bearer ${tokens[ALICE.phone]}` },
    });
    expect(receipt.status).toBe(200);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    expect(receipt.headers.get('content-disposition')).toMatch(/^attachment; filename="formica-receipt-tp_[\w-]+\.pdf"$/);
    const pdf = Buffer.from(await receipt.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toContain(`Formica receipt ${payment.id}`);
    expect(missingCharacters(pdf, 'Formica 交易凭证 交易类型 付款给商家 金额 交易号')).toEqual([]);
    const english = await fetch(`${server.url}/v1/wallet/activity/${encodeURIComponent(payment.id)}/receipt`, {
      headers: { authorization: `Bearer ${tokens[ALICE.phone]}`, 'accept-language': 'en-GB,en;q=0.9' },
    });
    expect(missingCharacters(Buffer.from(await english.arrayBuffer()), 'Formica receipt Payment to merchant Amount Reference')).toEqual([]);
    const unknown = await as(ALICE.phone, `/v1/wallet/activity/${encodeURIComponent(payment.id)}/receipt?lang=fr`);
    expect([unknown.status, unknown.body.code]).toEqual([400, 'invalid_request']);
    for (const route of [`/v1/wallet/activity/${encodeURIComponent(transfer.id)}`, `/v1/wallet/activity/${encodeURIComponent(transfer.id)}/receipt`]) {
      const hidden = await as(BOB.phone, route);
      expect(hidden.status, route).toBe(404);
      expect(hidden.body.code, route).toBe('activity_not_found');
    }
    expect((await as(ALICE.phone, '/v1/wallet/activity/zz:nothing')).status).toBe(404);
    expect((await as(ALICE.phone, '/v1/wallet/activity/not-an-id')).status).toBe(400);
  });

  it('exports the lines as CSV, newest first, filtered like the list, with signed amounts', async () => {
    const all = await lines(ALICE.phone);
    const csv = async (query: string) => {
      const response = await fetch(`${server.url}/v1/wallet/activity/export${query}`, { headers: { authorization: `Bearer ${tokens[ALICE.phone]}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      return { name: response.headers.get('content-disposition'), rows: (await response.text()).trim().split('\n') };
    };
    const everything = await csv('');
    expect(everything.name).toBe('attachment; filename="formica-activity.csv"');
    expect(everything.rows[0]).toBe('time,kind,counterparty,amount,currency,status,memo,id');
    expect(everything.rows.slice(1).map((row) => row.split(',').at(-1))).toEqual(all.map((l: { id: string }) => l.id));
    expect(everything.rows[2]).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+08:00,transfer_out,B\*\*\*\*i 136\*\*\*\*0202,-12\.34,CNY,completed,noodles,ws:/,
    );
    const topups = await csv('?kind=topup');
    expect(topups.name).toBe('attachment; filename="formica-activity-topup.csv"');
    expect(topups.rows.slice(1)).toEqual([expect.stringMatching(/,topup,ICBC card \*\*\*\*\d{4},20\.00,CNY,completed,,co:/)]);
    expect((await send(`${server.url}/v1/wallet/activity/export`, undefined, 'GET')).status).toBe(401);
  });
});
