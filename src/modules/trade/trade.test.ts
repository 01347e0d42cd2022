// The trade service against a real ledger and store: every state move and the illegal ones,
// idempotent replays, the escrow money path with exact fees, the timers on a ManualClock, refunds
// before and after settlement (also 20 racing), a refund part's moves landing with the refund or
// not at all, disputes, and the ledger audit after each scenario.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { derivedId, TransferCode, walletAccountId } from '../books/chart.ts';
import { moveEvents } from '../books/moves.ts';
import { DAY_MS } from './trade-timers.ts';
import { feeBackMinor, feeMinor } from './trade-ledger.ts';
import { assertTransition, nextStatus } from './trade-states.ts';
import { storesUnderTest, type TradeFixture, tradeFixture } from './trade-test-support.ts';
import type { MerchantInfo, RefundMade, RefundPart } from './trade.ts';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'resolved',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('fees and the transition table', () => {
  it('rounds the fee half-up to the fen and gives back exactly what was charged', () => {
    expect(feeMinor(10_000n, 60n)).toBe(60n);
    expect(feeMinor(250n, 20n)).toBe(1n); // 0.5 fen rounds up
    expect(feeMinor(249n, 20n)).toBe(0n); // 0.498 fen stays with the merchant
    expect(feeMinor(125n, 60n)).toBe(1n); // 0.75 fen
    expect(feeBackMinor(10_000n, 60n, 10_000n, 60n)).toBe(60n);
    expect(feeBackMinor(10_000n, 60n, 3_333n, 60n)).toBe(60n - feeMinor(6_667n, 60n));
  });

  it('lists the legal moves only', () => {
    expect(nextStatus('WAIT_BUYER_PAY', 'pay_escrow')).toBe('WAIT_SELLER_SEND_GOODS');
    expect(nextStatus('TRADE_FINISHED', 'refund_partial')).toBeUndefined();
    expect(() => assertTransition('TRADE_CLOSED', 'pay_instant')).toThrow(/illegal/);
    expect(() => assertTransition('WAIT_SELLER_SEND_GOODS', 'finish')).toThrow(/illegal/);
  });
});

describe.each(storesUnderTest())('trades (%s)', (store) => {
  let f: TradeFixture;
  let m: MerchantInfo;
  let n = 0;
  const out = () => `order-${++n}`;

  beforeAll(async () => {
    f = await tradeFixture(store);
    m = await f.newMerchant(60, 'http://127.0.0.1:9/unused');
  });
  afterAll(async () => {
    await f?.close();
  });
  afterEach(async () => {
    expect(await f.audit()).toEqual([]);
  });

  async function paidEscrow(buyer: string, amountMinor: bigint) {
    const t = await f.trades.create(m.merchantId, { outTradeNo: out(), subject: 'A lamp', totalAmountMinor: amountMinor, productCode: 'ESCROW_TRADE_PAY' });
    return f.trades.payWithWallet(buyer, t.tradeNo, `pay-${t.tradeNo}`);
  }

  it('replays an out_trade_no and refuses it for other content', async () => {
    const input = { outTradeNo: out(), subject: 'Tea', totalAmountMinor: 1234n };
    const a = await f.trades.create(m.merchantId, input);
    const b = await f.trades.create(m.merchantId, input);
    expect(b.tradeNo).toBe(a.tradeNo);
    expect(a).toMatchObject({ status: 'WAIT_BUYER_PAY', productCode: 'FAST_INSTANT_TRADE_PAY', totalAmountMinor: 1234n });
    expect(await code(f.trades.create(m.merchantId, { ...input, totalAmountMinor: 1235n }))).toBe('CONTEXT_INCONSISTENT');
    expect(await code(f.trades.create(m.merchantId, { ...input, outTradeNo: 'x'.repeat(65) }))).toBe('INVALID_PARAMETER');
    expect(await code(f.trades.create(m.merchantId, { ...input, outTradeNo: out(), timeoutExpress: '16d' }))).toBe('INVALID_PARAMETER');
    expect(await code(f.trades.query(m.merchantId, { tradeNo: 'trd_nope' }))).toBe('TRADE_NOT_EXIST');
    const other = await f.newMerchant(0);
    expect(await code(f.trades.query(other.merchantId, { tradeNo: a.tradeNo }))).toBe('TRADE_NOT_EXIST');
    const { qrCode } = await f.trades.precreate(m.merchantId, input);
    expect(qrCode).toMatch(new RegExp(`/checkout/${a.tradeNo}$`));
  });

  it('pays in store by paycode: instant, fee to the platform, replay and a used code refused', async () => {
    const buyer = await f.newBuyer('500.00');
    const revenueBefore = await f.revenue();
    const { authCode } = await f.trades.issuePaycode(buyer);
    expect(authCode).toMatch(/^28\d{16}$/);
    const input = { outTradeNo: out(), subject: 'Coffee', totalAmountMinor: 12_345n, authCode };
    const t = await f.trades.pay(m.merchantId, input);
    expect(t).toMatchObject({ status: 'TRADE_SUCCESS', buyerUserId: buyer, feeMinor: 74n }); // 123.45 * 0.6% = 0.7407
    expect(t.buyerLogonId).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(await f.wallet(buyer)).toBe(50_000n - 12_345n);
    expect(await f.posted(m.settlementAccountId)).toBeGreaterThanOrEqual(12_345n - 74n);
    expect((await f.revenue()) - revenueBefore).toBe(74n);
    expect((await f.trades.pay(m.merchantId, input)).tradeNo).toBe(t.tradeNo); // replay moves nothing
    expect(await f.wallet(buyer)).toBe(50_000n - 12_345n);
    expect(await code(f.trades.pay(m.merchantId, { ...input, outTradeNo: out() }))).toBe('PAYMENT_AUTH_CODE_INVALID');
    f.clock.advance(0);
    const poor = await f.newBuyer('1.00');
    const { authCode: c2 } = await f.trades.issuePaycode(poor);
    expect(await code(f.trades.pay(m.merchantId, { ...input, outTradeNo: out(), authCode: c2 }))).toBe('BUYER_BALANCE_NOT_ENOUGH');
  });

  it('escrow: pay holds, ship, confirm settles with the fee split exact to the fen', async () => {
    const merchant = await f.newMerchant(60);
    const buyer = await f.newBuyer('100.00');
    const created = await f.trades.create(merchant.merchantId, {
      outTradeNo: out(),
      subject: 'Chair',
      totalAmountMinor: 8_888n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    expect(await code(f.trades.confirm(buyer, created.tradeNo))).toBe('TRADE_NOT_EXIST'); // not the buyer yet
    const paid = await f.trades.payWithWallet(buyer, created.tradeNo, 'r1');
    expect(paid.status).toBe('WAIT_SELLER_SEND_GOODS');
    expect(await f.trades.payWithWallet(buyer, created.tradeNo, 'r1')).toMatchObject({ status: 'WAIT_SELLER_SEND_GOODS' });
    const other = await f.newBuyer('100.00');
    expect(await code(f.trades.payWithWallet(other, created.tradeNo, 'r2'))).toBe('TRADE_HAS_SUCCESS');
    expect(await f.pendingIn(merchant.settlementAccountId)).toBe(8_888n);
    expect(await f.posted(merchant.settlementAccountId)).toBe(0n);
    expect(await f.wallet(buyer)).toBe(10_000n - 8_888n);
    expect(await code(f.trades.confirm(buyer, created.tradeNo))).toBe('TRADE_STATUS_ERROR');
    expect(await code(f.trades.close(merchant.merchantId, { tradeNo: created.tradeNo }))).toBe('TRADE_STATUS_ERROR');
    const shipped = await f.trades.ship(merchant.merchantId, { outTradeNo: created.outTradeNo }, { logisticsType: 'EXPRESS', waybillNo: 'SF1' });
    expect(shipped.status).toBe('WAIT_BUYER_CONFIRM_GOODS');
    expect(shipped.confirmDueAtMs).toBe(f.clock.now() + 10 * DAY_MS);
    const before = await f.revenue();
    const done = await f.trades.confirm(buyer, created.tradeNo);
    expect(done.status).toBe('TRADE_SUCCESS');
    const fee = 53n; // 88.88 * 0.6% = 0.53328
    expect(await f.posted(merchant.settlementAccountId)).toBe(8_888n - fee);
    expect((await f.revenue()) - before).toBe(fee);
    expect(await f.pendingIn(merchant.settlementAccountId)).toBe(0n);
    expect((await f.trades.confirm(buyer, created.tradeNo)).status).toBe('TRADE_SUCCESS'); // replay
    expect(await code(f.trades.ship(merchant.merchantId, { tradeNo: created.tradeNo }, { logisticsType: 'POST' }))).toBe('TRADE_STATUS_ERROR');
    const instant = await f.trades.create(merchant.merchantId, { outTradeNo: out(), subject: 'x', totalAmountMinor: 100n });
    expect(await code(f.trades.ship(merchant.merchantId, { tradeNo: instant.tradeNo }, { logisticsType: 'NONE' }))).toBe('TRADE_STATUS_ERROR');
    expect(await code(f.trades.refund(merchant.merchantId, { tradeNo: instant.tradeNo }, { refundAmountMinor: 100n }))).toBe('TRADE_STATUS_ERROR');
  });

  it('closes unpaid trades at their timeout and auto-confirms after the confirm timeout, extended once', async () => {
    const buyer = await f.newBuyer('100.00');
    const unpaid = await f.trades.create(m.merchantId, { outTradeNo: out(), subject: 'x', totalAmountMinor: 100n, timeoutExpress: '30m' });
    const t = await paidEscrow(buyer, 1_000n);
    await f.trades.ship(m.merchantId, { tradeNo: t.tradeNo }, { logisticsType: 'VIRTUAL' });
    f.clock.advance(29 * 60_000);
    await f.trades.runTimers();
    expect((await f.trades.query(m.merchantId, { tradeNo: unpaid.tradeNo })).status).toBe('WAIT_BUYER_PAY');
    f.clock.advance(60_000);
    await f.trades.runTimers();
    const closed = await f.trades.query(m.merchantId, { tradeNo: unpaid.tradeNo });
    expect(closed.status).toBe('TRADE_CLOSED');
    expect(closed.closedAtMs).toBe(f.clock.now());
    expect(await code(f.trades.payWithWallet(buyer, unpaid.tradeNo, 'late'))).toBe('TRADE_HAS_CLOSE');
    expect((await f.trades.close(m.merchantId, { tradeNo: unpaid.tradeNo })).status).toBe('TRADE_CLOSED');

    const extended = await f.trades.extend(buyer, t.tradeNo);
    expect(extended.extended).toBe(true);
    expect(await code(f.trades.extend(buyer, t.tradeNo))).toBe('TRADE_STATUS_ERROR');
    f.clock.advance(3 * DAY_MS + 2 * DAY_MS);
    await f.trades.runTimers();
    expect((await f.trades.query(m.merchantId, { tradeNo: t.tradeNo })).status).toBe('WAIT_BUYER_CONFIRM_GOODS');
    f.clock.advance(DAY_MS);
    expect(await f.trades.runTimers()).toBeGreaterThanOrEqual(1);
    const settled = await f.trades.query(m.merchantId, { tradeNo: t.tradeNo });
    expect(settled.status).toBe('TRADE_SUCCESS');
    f.clock.advance(93 * DAY_MS);
    await f.trades.runTimers();
    expect((await f.trades.query(m.merchantId, { tradeNo: t.tradeNo })).status).toBe('TRADE_FINISHED');
    expect(await code(f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 1_000n }))).toBe('TRADE_NOT_ALLOW_REFUND');
  });

  it('refunds before settlement: partial keeps the rest held, full voids; replays answer fund_change N', async () => {
    const buyer = await f.newBuyer('100.00');
    const t = await paidEscrow(buyer, 10_000n);
    const ref = { tradeNo: t.tradeNo };
    expect(await code(f.trades.refund(m.merchantId, ref, { refundAmountMinor: 3_000n }))).toBe('REFUND_AMT_NOT_EQUAL_TOTAL');
    const r1 = await f.trades.refund(m.merchantId, ref, { refundAmountMinor: 3_000n, outRequestNo: 'rf-1' });
    expect(r1).toMatchObject({ fundChange: 'Y', refundAmountMinor: 3_000n, refundedTotalMinor: 3_000n });
    expect(await f.wallet(buyer)).toBe(3_000n);
    expect(await f.pendingIn(m.settlementAccountId)).toBe(7_000n);
    expect((await f.trades.query(m.merchantId, ref)).status).toBe('WAIT_SELLER_SEND_GOODS');
    expect(await f.trades.refund(m.merchantId, ref, { refundAmountMinor: 3_000n, outRequestNo: 'rf-1' })).toMatchObject({
      fundChange: 'N',
      refundedTotalMinor: 3_000n,
    });
    expect(await f.wallet(buyer)).toBe(3_000n);
    expect(await code(f.trades.refund(m.merchantId, ref, { refundAmountMinor: 7_001n, outRequestNo: 'rf-2' }))).toBe('REFUND_AMT_EXCEED');
    expect(await f.trades.refundQuery(m.merchantId, ref, 'rf-1')).toMatchObject({ refundAmountMinor: 3_000n });
    expect(await f.trades.refundQuery(m.merchantId, ref, 'rf-2')).toBeUndefined();
    await f.trades.refund(m.merchantId, ref, { refundAmountMinor: 7_000n, outRequestNo: 'rf-3' });
    const closed = await f.trades.query(m.merchantId, ref);
    expect(closed).toMatchObject({ status: 'TRADE_CLOSED', refundedMinor: 10_000n });
    expect(await f.wallet(buyer)).toBe(10_000n);
    expect(await f.pendingIn(m.settlementAccountId)).toBe(0n);
    expect(await code(f.trades.refund(m.merchantId, ref, { refundAmountMinor: 1n, outRequestNo: 'rf-4' }))).toBe('TRADE_HAS_CLOSE');
  });

  it('refunds after settlement with the fee given back pro rata, and cancel refunds the rest', async () => {
    const merchant = await f.newMerchant(60);
    const buyer = await f.newBuyer('100.00');
    const { authCode } = await f.trades.issuePaycode(buyer);
    const t = await f.trades.pay(merchant.merchantId, { outTradeNo: out(), subject: 'Bread', totalAmountMinor: 10_000n, authCode });
    expect(t.feeMinor).toBe(60n);
    const rev = await f.revenue();
    await f.trades.refund(merchant.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 3_333n, outRequestNo: 'a' });
    const partly = await f.trades.query(merchant.merchantId, { tradeNo: t.tradeNo });
    expect(partly).toMatchObject({ status: 'TRADE_SUCCESS', refundedMinor: 3_333n, feeMinor: 40n }); // fee on 66.67 = 0.40
    expect(rev - (await f.revenue())).toBe(20n);
    expect(await f.posted(merchant.settlementAccountId)).toBe(6_667n - 40n);
    const cancelled = await f.trades.cancel(merchant.merchantId, { tradeNo: t.tradeNo });
    expect(cancelled).toMatchObject({ action: 'refund', status: 'TRADE_CLOSED', refundedMinor: 10_000n, feeMinor: 0n });
    expect(await f.posted(merchant.settlementAccountId)).toBe(0n);
    expect(await f.revenue()).toBe(rev - 60n);
    expect(await f.wallet(buyer)).toBe(10_000n);
    const unpaid = await f.trades.create(merchant.merchantId, { outTradeNo: out(), subject: 'x', totalAmountMinor: 5n });
    expect(await f.trades.cancel(merchant.merchantId, { outTradeNo: unpaid.outTradeNo })).toMatchObject({ action: 'close', status: 'TRADE_CLOSED' });
  });

  it('never refunds more than was paid when 20 partial refunds race', async () => {
    const buyer = await f.newBuyer('100.00');
    const held = await paidEscrow(buyer, 1_000n);
    const { authCode } = await f.trades.issuePaycode(buyer);
    const settled = await f.trades.pay(m.merchantId, { outTradeNo: out(), subject: 'x', totalAmountMinor: 1_000n, authCode });
    for (const t of [held, settled]) {
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          code(f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 150n, outRequestNo: `race-${i}` })),
        ),
      );
      expect(results.filter((r) => r === 'resolved')).toHaveLength(6);
      expect(results.filter((r) => r !== 'resolved').every((r) => r === 'REFUND_AMT_EXCEED')).toBe(true);
      expect((await f.trades.query(m.merchantId, { tradeNo: t.tradeNo })).refundedMinor).toBe(900n);
    }
    expect(await f.wallet(buyer)).toBe(10_000n - 2_000n + 1_800n);
  });

  it("chains a refund part's moves after the refund's: both land, or the refund is refused and the part told so", async () => {
    const buyer = await f.newBuyer('10.00');
    const elsewhere = await f.newMerchant(0);
    // The part takes from the buyer's wallet what the trade's `take` says: the refund, or more than the wallet will hold.
    const take = new Map<string, bigint>();
    const told: { refund: RefundMade; applied: boolean; results: string[] }[] = [];
    const part: RefundPart<RefundMade | null> = {
      name: 'test.part',
      maxEvents: 1,
      claim: async (_tx, refund) => (take.has(refund.tradeNo) ? refund : null),
      plan: (r) =>
        r
          ? moveEvents(
              [
                {
                  id: derivedId('t_part', r.tradeNo, r.outRequestNo),
                  debit: walletAccountId(r.buyerUserId),
                  credit: elsewhere.settlementAccountId,
                  amount: take.get(r.tradeNo)!,
                  code: TransferCode.tradePayment,
                },
              ],
              r.tradeNo,
            )
          : [],
      record: async (_tx, r, applied, outcomes) => {
        if (r) told.push({ refund: r, applied, results: outcomes.map((o) => o.result) });
      },
    };
    f.trades.addRefundPart(part);
    const { authCode } = await f.trades.issuePaycode(buyer);
    const t = await f.trades.pay(m.merchantId, { outTradeNo: out(), subject: 'Tea', totalAmountMinor: 400n, authCode });
    take.set(t.tradeNo, 150n);
    await f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 150n, outRequestNo: 'lands' });
    expect(told).toEqual([{ refund: { tradeNo: t.tradeNo, buyerUserId: buyer, outRequestNo: 'lands', refundMinor: 150n }, applied: true, results: ['ok'] }]);
    expect(await f.wallet(buyer)).toBe(1_000n - 400n);
    expect(await f.posted(elsewhere.settlementAccountId)).toBe(150n);
    // A replay answers from the refund's row: the part is not claimed again.
    await f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 150n, outRequestNo: 'lands' });
    expect(told).toHaveLength(1);

    // More than the wallet holds after the refund: the part's move fails, and with it the refund.
    take.set(t.tradeNo, 1_000n);
    expect(await code(f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 100n, outRequestNo: 'refused' }))).toBe('SYSTEM_ERROR');
    expect(told[1]).toMatchObject({ applied: false, results: ['exceeds_credits'] });
    expect((await f.trades.query(m.merchantId, { tradeNo: t.tradeNo })).refundedMinor).toBe(150n);
    expect(await f.wallet(buyer)).toBe(1_000n - 400n);
    expect(await f.posted(elsewhere.settlementAccountId)).toBe(150n);
    take.clear();
  });

  it('disputes: pause the timer, then refund or release by the operator', async () => {
    const buyer = await f.newBuyer('100.00');
    const a = await paidEscrow(buyer, 2_000n);
    await f.trades.ship(m.merchantId, { tradeNo: a.tradeNo }, { logisticsType: 'EXPRESS' });
    const d = await f.trades.openDispute(buyer, a.tradeNo, 'never arrived');
    expect(d.status).toBe('open');
    expect(await code(f.trades.openDispute(await f.newBuyer('0'), a.tradeNo, 'x'))).toBe('TRADE_NOT_EXIST');
    expect((await f.trades.query(m.merchantId, { tradeNo: a.tradeNo })).confirmDueAtMs).toBeUndefined();
    expect(await code(f.trades.confirm(buyer, a.tradeNo))).toBe('TRADE_STATUS_ERROR');
    f.clock.advance(30 * DAY_MS);
    await f.trades.runTimers();
    expect((await f.trades.query(m.merchantId, { tradeNo: a.tradeNo })).status).toBe('WAIT_BUYER_CONFIRM_GOODS'); // paused
    expect((await f.trades.answerDispute(m.merchantId, a.tradeNo, 'sent by SF')).status).toBe('answered');
    const refunded = await f.trades.decideDispute(a.tradeNo, 'refund', 'no tracking');
    expect(refunded.status).toBe('refunded');
    expect((await f.trades.query(m.merchantId, { tradeNo: a.tradeNo })).status).toBe('TRADE_CLOSED');
    expect((await f.trades.decideDispute(a.tradeNo, 'refund', 'again')).status).toBe('refunded');
    expect(await code(f.trades.decideDispute(a.tradeNo, 'release', 'x'))).toBe('TRADE_STATUS_ERROR');

    const b = await paidEscrow(buyer, 3_000n);
    await f.trades.openDispute(buyer, b.tradeNo, 'wrong colour');
    const released = await f.trades.decideDispute(b.tradeNo, 'release', 'as described');
    expect(released.status).toBe('released');
    expect((await f.trades.query(m.merchantId, { tradeNo: b.tradeNo })).status).toBe('TRADE_SUCCESS');
    expect(await f.wallet(buyer)).toBe(10_000n - 3_000n);
    const list = await f.trades.listForBuyer(buyer, { limit: 1 });
    expect(list.trades[0].tradeNo).toBe(b.tradeNo);
    const next = await f.trades.listForBuyer(buyer, { limit: 1, after: list.next! });
    expect(next.trades[0].tradeNo).toBe(a.tradeNo);
    expect(await f.posted(walletAccountId(buyer))).toBe(7_000n);
  });
});
