// End-to-end tests of paying trades from a bound card over HTTP against the bank simulator on a
// real port: the money comes in like a top-up and is held in escrow, confirmed, refunded back to the
// card (the simulator's card balance shows it); a declined card leaves the trade unpaid; an unknown
// answer leaves it waiting until the answer arrives; money arriving after the trade closed stays in
// the wallet. A clean ledger audit after each. SQLite always; PostgreSQL when DATABASE_URL is set.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A, CARD_B } from '../sim/bank/test-support.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { send } from './support/http.ts';
import { verifyTo } from './support/users.ts';

interface Buyer {
  id: string;
  phone: string;
  token: string;
  cardId: string;
  cardNo: string;
}

describe.each(storesUnderTest())('trades paid by card over HTTP (%s)', (store) => {
  let bank: RunningBankSimulator;
  let server: TestServer;
  let merchantId = '';
  let seq = 0;
  let buyer: Buyer;

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ store, bankUrl: bank.url, bankTimeoutMs: 400 });
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await server.app.merchants.create({
      name: 'Kite shop',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
    });
    merchantId = merchant.merchantId;
    buyer = await newBuyer(CARD_A);
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });
  afterEach(async () => {
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 0, timeout_rate: 0 });
    await server.app.engine.drained();
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  const as = (user: Buyer | undefined, method: string, route: string, body?: unknown) => send(server.url + route, user?.token, method, body);
  const sim = (method: string, route: string, body?: unknown) => send(bank.url + route, undefined, method, body);
  const cardBalance = async (cardNo: string) => (await sim('POST', '/sim/cards/balance', { card_no: cardNo })).body.balance as string;
  const wallet = async (user: Buyer) => (await as(user, 'GET', '/v1/wallet')).body;
  const payByCard = (user: Buyer, tradeNo: string, requestId: string, cardId = user.cardId) =>
    as(user, 'POST', `/v1/trades/${tradeNo}/pay`, { request_id: requestId, card_id: cardId });
  const status = async (tradeNo: string) => (await server.app.trades.query(merchantId, { tradeNo })).status;
  const escrowTrade = (amountMinor: bigint) =>
    server.app.trades.create(merchantId, {
      outTradeNo: `${store}-card-${++seq}`,
      subject: 'Kite',
      totalAmountMinor: amountMinor,
      productCode: 'ESCROW_TRADE_PAY',
    });

  async function newBuyer(cardNo: string): Promise<Buyer> {
    seq += 1;
    const phone = `135${String(Date.now() % 100000).padStart(5, '0')}${String(seq).padStart(3, '0')}`.slice(0, 11);
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Li Lei' });
    const token = (await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' })).body.token;
    await verifyTo(server, { id: reg.body.user_id, phone, token }, 'I');
    const user = { id: reg.body.user_id, phone, token, cardId: '', cardNo };
    const started = await as(user, 'POST', '/v1/cards', { bank: 'ICBC', card_no: cardNo, name: 'Li Lei', id_no: '110101199001011234', phone });
    const sms = await sim('GET', `/sim/sms?phone=${phone}`);
    const confirmed = await as(user, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages[0].code });
    expect(confirmed.body.status, JSON.stringify(confirmed.body)).toBe('bound');
    return { ...user, cardId: started.body.card_id };
  }

  it('pays an escrow trade from the card, settles on confirmation, and refunds back to the card', async () => {
    const before = await cardBalance(buyer.cardNo);
    const t = await escrowTrade(80_00n);
    const paid = await payByCard(buyer, t.tradeNo, 'card-1');
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body).toMatchObject({
      trade_status: 'WAIT_SELLER_SEND_GOODS',
      funding_source: 'card',
      funding: { source: 'card', card_id: buyer.cardId, status: 'paid' },
    });
    expect((await payByCard(buyer, t.tradeNo, 'card-1')).body).toMatchObject({ trade_status: 'WAIT_SELLER_SEND_GOODS', funding: { status: 'paid' } });
    expect(Number(before) - Number(await cardBalance(buyer.cardNo))).toBe(80);
    // The card's money is held, not spent from the balance: no balance limit counts it.
    const w = await wallet(buyer);
    expect(w).toMatchObject({ balance: '80.00', available: '0.00' });
    expect(w.limits.find((l: { name: string }) => l.name === 'level_I_lifetime').used).toBe('0.00');

    await server.app.trades.ship(merchantId, { tradeNo: t.tradeNo }, { logisticsType: 'EXPRESS' });
    expect((await as(buyer, 'POST', `/v1/trades/${t.tradeNo}/confirm`)).body.trade_status).toBe('TRADE_SUCCESS');
    const refund = await server.app.trades.refund(merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 30_00n, outRequestNo: 'rf-1' });
    expect(refund).toMatchObject({ fundChange: 'Y', refundAmountMinor: 30_00n });
    expect(Number(before) - Number(await cardBalance(buyer.cardNo))).toBe(50);
    // A replay of the refund moves nothing, on the ledger or at the bank.
    expect((await server.app.trades.refund(merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 30_00n, outRequestNo: 'rf-1' })).fundChange).toBe('N');
    await server.app.trades.runTimers();
    expect(Number(before) - Number(await cardBalance(buyer.cardNo))).toBe(50);
    expect((await wallet(buyer)).balance).toBe('0.00');
  });

  it('refunds a held card payment back to the card when the merchant cancels', async () => {
    const before = await cardBalance(buyer.cardNo);
    const t = await escrowTrade(12_34n);
    expect((await payByCard(buyer, t.tradeNo, 'card-2')).body.trade_status).toBe('WAIT_SELLER_SEND_GOODS');
    expect((await server.app.trades.cancel(merchantId, { tradeNo: t.tradeNo })).action).toBe('refund');
    expect(await status(t.tradeNo)).toBe('TRADE_CLOSED');
    expect(await cardBalance(buyer.cardNo)).toBe(before);
    expect((await wallet(buyer)).balance).toBe('0.00');
  });

  it('a declined card leaves the trade unpaid and the wallet unchanged', async () => {
    const before = await cardBalance(buyer.cardNo);
    const t = await escrowTrade(20_00n);
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 1 });
    const declined = await payByCard(buyer, t.tradeNo, 'card-3');
    expect(declined).toMatchObject({ status: 422, body: { code: 'bank_refused' } });
    await sim('POST', '/sim/banks/ICBC/config', { failure_rate: 0 });
    expect(await status(t.tradeNo)).toBe('WAIT_BUYER_PAY');
    expect(await wallet(buyer)).toMatchObject({ balance: '0.00', available: '0.00' });
    expect(await cardBalance(buyer.cardNo)).toBe(before);
    // The refused request stays refused; a new one pays.
    expect((await payByCard(buyer, t.tradeNo, 'card-3')).body.code).toBe('bank_refused');
    expect((await payByCard(buyer, t.tradeNo, 'card-4')).body.trade_status).toBe('WAIT_SELLER_SEND_GOODS');
  });

  it('an unknown bank answer leaves the trade waiting; the late answer completes the payment', async () => {
    const t = await escrowTrade(15_00n);
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 1, late_answer_ms: 1500 });
    const waiting = await payByCard(buyer, t.tradeNo, 'card-5');
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 0 });
    expect(waiting).toMatchObject({ status: 202, body: { trade_status: 'WAIT_BUYER_PAY', funding: { status: 'pending' } } });
    expect((await payByCard(buyer, t.tradeNo, 'card-5')).body.funding.status).toBe('pending');
    // Nothing reached the wallet yet (what it shows as balance is earlier trades held in escrow).
    expect((await wallet(buyer)).available).toBe('0.00');
    expect((await server.call('POST', '/v1/admin/channel-operations/resolve')).body).toEqual({ resolved: 1, pending: 0 });
    await server.app.trades.runTimers();
    expect(await status(t.tradeNo)).toBe('WAIT_SELLER_SEND_GOODS');
    expect(await payByCard(buyer, t.tradeNo, 'card-5')).toMatchObject({ status: 200, body: { funding: { status: 'paid' }, funding_source: 'card' } });
  });

  it('money that arrives after the trade closed stays in the buyer wallet', async () => {
    const t = await escrowTrade(9_00n);
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 1, late_answer_ms: 1500 });
    expect((await payByCard(buyer, t.tradeNo, 'card-6')).status).toBe(202);
    await sim('POST', '/sim/banks/ICBC/config', { timeout_rate: 0 });
    await server.app.trades.close(merchantId, { tradeNo: t.tradeNo });
    await server.call('POST', '/v1/admin/channel-operations/resolve');
    const replay = await payByCard(buyer, t.tradeNo, 'card-6');
    expect(replay).toMatchObject({ status: 200, body: { trade_status: 'TRADE_CLOSED', funding: { status: 'in_wallet' } } });
    expect((await wallet(buyer)).available).toBe('9.00');
    await server.app.trades.runTimers();
    expect((await wallet(buyer)).available).toBe('9.00');
  });

  it("refuses another user's card and a card paying someone's paid trade", async () => {
    const other = await newBuyer(CARD_B);
    const t = await escrowTrade(1_00n);
    expect(await payByCard(other, t.tradeNo, 'steal', buyer.cardId)).toMatchObject({ status: 404, body: { code: 'card_not_found' } });
    expect(await status(t.tradeNo)).toBe('WAIT_BUYER_PAY');
    expect((await payByCard(buyer, t.tradeNo, 'card-7')).status).toBe(200);
    expect(await payByCard(other, t.tradeNo, 'late')).toMatchObject({ status: 409, body: { code: 'TRADE_HAS_SUCCESS' } });
    expect((await payByCard(buyer, t.tradeNo, 'card-7', other.cardId)).body.code).toBe('request_id_reused');
  });
});
