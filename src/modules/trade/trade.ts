// The trade service: merchants' trades (instant and escrow) from creation to settlement, refunds
// and disputes, the buyer's side (pay from the wallet or a card, confirm, extend, paycodes), and
// the timers and notification outbox it runs. Its methods are the commands: each reads the trade
// from the store as a typed record, decides, and changes it through trade-steps.ts (money only as a
// step on the books: claim, pure plan, record in one commit with the ledger batch). Commands on one
// trade take turns; each is idempotent on the merchant's numbers (out_trade_no, out_request_no) or
// the buyer's request id.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import type { IdentityService } from '../identity/identity.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import { busy, notExist, statusError, TradeError } from './trade-errors.ts';
import { type Deliver, fetchDeliver, NotificationOutbox } from './trade-notifications.ts';
import { closeChange, extendChange, type Op, shipChange, tradeSpendKey } from './trade-plans.ts';
import { isHeld, nextStatus } from './trade-states.ts';
import { type FundingRecord, type FundingStatus, type Payer, type PayoutDue, TradeStore } from './trade-store.ts';
import { type RefundPart, TradeSteps } from './trade-steps.ts';
import { BUYER_MAY_CANCEL_UNSHIPPED_MS, payDeadlineMs, TradeTimers, UNSHIPPED_REFUND_REQUEST } from './trade-timers.ts';
import {
  type Dispute,
  type LogisticsType,
  type MerchantLookup,
  type MerchantTradeFilter,
  maskPhone,
  type NotificationEncoder,
  type NotificationRecord,
  type ProductCode,
  type Refund,
  type RefundRecord,
  type Trade,
  type TradeRecord,
  type TradeRef,
  type TradeTimeline,
  timelineEvents,
  toRefund,
  toTrade,
} from './trade-types.ts';

export { TradeError } from './trade-errors.ts';
export type { Deliver } from './trade-notifications.ts';
export { isTradeStatus } from './trade-states.ts';
export type { FundingStatus } from './trade-store.ts';
export type { RefundPart } from './trade-steps.ts';
export type {
  Dispute,
  FundingSource,
  MerchantInfo,
  MerchantLookup,
  MerchantTradeFilter,
  NotificationContent,
  NotificationEncoder,
  NotificationEvent,
  NotificationRecord,
  ProductCode,
  Refund,
  RefundEntry,
  RefundMade,
  TimelineEvent,
  Trade,
  TradeRef,
  TradeStatus,
  TradeTimeline,
} from './trade-types.ts';

export interface CreateInput {
  outTradeNo: string;
  subject: string;
  totalAmountMinor: bigint;
  productCode?: ProductCode;
  timeoutExpress?: string;
  /** The merchant's absolute deadline for payment (epoch ms); wins over timeoutExpress. */
  timeExpireMs?: number;
  /** Given back untouched in notifications. */
  passbackParams?: string;
  notifyUrl?: string;
  body?: string;
}

/** An in-store order: no payment timeout or body, and the paycode the till scanned. */
export interface PayInput extends Omit<CreateInput, 'timeoutExpress' | 'timeExpireMs' | 'body'> {
  authCode: string;
}

/** A card payment's answer: the trade, and where the card's money is (started reads as pending). */
export interface CardPayment {
  trade: Trade;
  funding: { cardId: string; status: 'pending' | 'paid' | 'in_wallet' };
}

export interface TradeDeps {
  db: SqlDatabase;
  /** Moves every trade's money (pay, settle, refund) as steps on the books. */
  runner: StepRunner;
  clock: Clock;
  ids: IdSource;
  identity: IdentityService;
  wallet: WalletService;
  merchants: MerchantLookup;
  /** How a queued notification is worded and signed when it is sent (the merchant protocol's). */
  encodeNotification: NotificationEncoder;
  /** Where the hosted checkout lives; default FORMICA_PUBLIC_URL or http://127.0.0.1:8080. */
  publicBaseUrl?: string;
  /** How notifications are posted; default fetch with a 5 s timeout. */
  deliver?: Deliver;
  /** Bound cards and their channel operations; without them a trade cannot be paid by card. */
  cards?: CardService;
  cardPayments?: CardPaymentsService;
}

/** Policy: an in-store payment above 1000.00 yuan waits for the buyer's payment PIN (two factors). */
const PAYCODE_PIN_ABOVE_MINOR = 100_000n;
/** total_amount: 0.01 to 100000000.00 yuan. */
const MAX_TOTAL_MINOR = 10_000_000_000n;
/** A paycode lives long enough to scan at a till, short enough that a photographed code is soon worthless. */
const PAYCODE_TTL_MS = 2 * 60_000;
const PAYCODE_RANDOM_DIGITS = 16;
const MAX_PAGE = 100;
/** The request id of the refund a dispute decided for the buyer makes. */
const DISPUTE_REFUND_REQUEST = 'DISPUTE_REFUND';

export class TradeService {
  readonly notifications: NotificationOutbox;
  private readonly steps: TradeSteps;
  private readonly timers: TradeTimers;

  private constructor(
    private readonly d: TradeDeps,
    private readonly store: TradeStore,
    private readonly publicBaseUrl: string,
  ) {
    this.steps = new TradeSteps(store, d.runner, d.clock, d.ids, d.wallet.limits);
    this.notifications = new NotificationOutbox(store, d.clock, d.encodeNotification, d.deliver ?? fetchDeliver());
    this.timers = new TradeTimers(store, {
      locked: (tradeNo, fn) => this.steps.locked(tradeNo, fn),
      close: async (t, nowMs) => (await this.steps.change(t, closeChange(nowMs))) !== undefined,
      settle: (t) => this.steps.settle(t),
      finish: async (t) => (await this.steps.change(t, { kind: 'finish' })) !== undefined,
      refundRest: (t, outRequestNo, reason) => this.refundRest(t, outRequestNo, reason),
      disputeOpen: (tradeNo) => this.disputeOpen(tradeNo),
      driveFunding: (t, f) => this.driveFunding(t, f),
      payOut: (refund, buyerUserId) => this.payOut(refund, buyerUserId),
    });
  }

  static async open(deps: TradeDeps): Promise<TradeService> {
    const store = new TradeStore(deps.db);
    await store.migrate();
    const base = deps.publicBaseUrl ?? process.env.FORMICA_PUBLIC_URL ?? 'http://127.0.0.1:8080';
    return new TradeService(deps, store, base.replace(/\/+$/, ''));
  }

  // ---- merchant side ----

  /** Idempotent on (merchant, outTradeNo); the same number with other content is CONTEXT_INCONSISTENT. */
  async create(merchantId: string, input: CreateInput): Promise<Trade> {
    validateCreate(input);
    const productCode = input.productCode ?? 'FAST_INSTANT_TRADE_PAY';
    const existing = await this.store.byOutTradeNo(merchantId, input.outTradeNo);
    if (existing) return sameContent(existing, input, productCode);
    const merchant = await this.d.merchants.merchant(merchantId);
    if (!merchant) throw new TradeError('INVALID_PARAMETER', `unknown merchant '${merchantId}'`);
    const now = this.d.clock.now();
    const timeoutAtMs = payDeadlineMs(productCode, input.timeoutExpress, now, input.timeExpireMs);
    await this.store.insert({
      tradeNo: this.d.ids.next('trd'),
      merchantId,
      outTradeNo: input.outTradeNo,
      subject: input.subject,
      body: input.body ?? '',
      totalMinor: input.totalAmountMinor,
      productCode,
      feeBps: BigInt(merchant.feeBps),
      settlementAccountId: merchant.settlementAccountId,
      notifyUrl: input.notifyUrl ?? merchant.notifyUrl,
      appId: merchant.appId,
      timeoutAtMs,
      createdAtMs: now,
      passbackParams: input.passbackParams,
    });
    // A concurrent create with the same number may have won; it decides.
    return sameContent((await this.store.byOutTradeNo(merchantId, input.outTradeNo))!, input, productCode);
  }

  /** Hosted checkout: the trade plus the URL of its checkout page (what the QR code carries). */
  async precreate(merchantId: string, input: CreateInput): Promise<{ trade: Trade; qrCode: string }> {
    const trade = await this.create(merchantId, input);
    return { trade, qrCode: `${this.publicBaseUrl}/checkout/${trade.tradeNo}` };
  }

  /** In-store: creates the trade and pays it from the wallet of the buyer whose paycode was scanned. */
  async pay(merchantId: string, input: PayInput): Promise<Trade> {
    const trade = await this.create(merchantId, { ...input, productCode: input.productCode ?? 'FAST_INSTANT_TRADE_PAY' });
    if (trade.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
    // A replay of a paid trade, or of one waiting for its buyer, answers as before.
    if (trade.status !== 'WAIT_BUYER_PAY' || trade.awaitingBuyer) return trade;
    if (trade.totalAmountMinor > PAYCODE_PIN_ABOVE_MINOR) {
      // Above the threshold the trade waits for the buyer whose code was scanned to confirm with the PIN.
      const buyer = await this.paycodeOwner(input.authCode);
      await this.store.transaction((tx) => this.usePaycode(tx, input.authCode));
      await this.store.awaitBuyer(trade.tradeNo, buyer);
      return toTrade(await this.steps.reload(trade.tradeNo));
    }
    // The code is used up in the payment's own claim: one commit for the code and the money.
    const buyer = await this.paycodeOwner(input.authCode);
    return this.payFromWallet(buyer, trade.tradeNo, `paycode:${input.authCode}`, 'one_factor', (tx) => this.usePaycode(tx, input.authCode));
  }

  async query(merchantId: string, ref: TradeRef): Promise<Trade> {
    return toTrade(await this.steps.find(merchantId, ref));
  }

  async ship(merchantId: string, ref: TradeRef, input: { logisticsType: LogisticsType; waybillNo?: string }): Promise<Trade> {
    return this.steps.merchantLocked(merchantId, ref, async (t) => {
      if (t.productCode !== 'ESCROW_TRADE_PAY') throw statusError(t, 'only escrow trades are shipped');
      // The same shipment sent again answers as before; any other is a second shipment, refused.
      const same = t.logisticsType === input.logisticsType && t.waybillNo === input.waybillNo;
      if (t.status === 'WAIT_BUYER_CONFIRM_GOODS' && same) return toTrade(t);
      if (t.status !== 'WAIT_SELLER_SEND_GOODS') throw statusError(t, 'the trade is not waiting for shipment');
      return this.steps.changeOrRetry(t, shipChange(input, this.d.clock.now(), await this.disputeOpen(t.tradeNo)));
    });
  }

  async refund(merchantId: string, ref: TradeRef, input: { refundAmountMinor: bigint; outRequestNo?: string; reason?: string }): Promise<Refund> {
    const found = await this.steps.find(merchantId, ref);
    if (input.outRequestNo === undefined && input.refundAmountMinor !== found.totalMinor) {
      throw new TradeError('REFUND_AMT_NOT_EQUAL_TOTAL', 'without out_request_no the refund must be the full amount');
    }
    return this.steps.locked(found.tradeNo, (t) => this.refundLocked(t, input.outRequestNo ?? t.outTradeNo, input.refundAmountMinor, input.reason ?? ''));
  }

  async refundQuery(merchantId: string, ref: TradeRef, outRequestNo: string): Promise<Refund | undefined> {
    const t = await this.steps.find(merchantId, ref);
    const refund = await this.store.refund(t.tradeNo, outRequestNo);
    return refund?.status === 'done' ? toRefund(t, refund, 'Y') : undefined;
  }

  /** Closes an unpaid trade; closing a closed one answers it again. */
  async close(merchantId: string, ref: TradeRef): Promise<Trade> {
    return this.steps.merchantLocked(merchantId, ref, async (t) => {
      if (t.status === 'TRADE_CLOSED') return toTrade(t);
      if (t.status !== 'WAIT_BUYER_PAY') throw statusError(t, 'only an unpaid trade can be closed');
      return this.steps.changeOrRetry(t, closeChange(this.d.clock.now()));
    });
  }

  /** Undoes a trade whatever its state: closes it if unpaid, refunds what is left if paid. */
  async cancel(merchantId: string, ref: TradeRef): Promise<Trade & { action: 'close' | 'refund' }> {
    return this.steps.merchantLocked(merchantId, ref, async (t) => {
      if (t.status === 'TRADE_CLOSED' && t.paidAtMs === undefined) return { ...toTrade(t), action: 'close' as const };
      if (t.status === 'WAIT_BUYER_PAY') return { ...(await this.steps.changeOrRetry(t, closeChange(this.d.clock.now()))), action: 'close' as const };
      await this.refundRest(t, `CANCEL-${t.outTradeNo}`, 'cancel');
      return { ...toTrade(await this.steps.reload(t.tradeNo)), action: 'refund' as const };
    });
  }

  /** A merchant's trades and refunds touched in [fromMs, toMs), for the daily bill; the trades
   *  include every trade a listed refund belongs to. */
  async activity(merchantId: string, fromMs: number, toMs: number): Promise<{ trades: Trade[]; refunds: Refund[] }> {
    const byNo = new Map((await this.store.touchedBetween(merchantId, fromMs, toMs)).map((t) => [t.tradeNo, t]));
    const refunds: Refund[] = [];
    for (const r of await this.store.refundsDoneBetween(merchantId, fromMs, toMs)) {
      let t = byNo.get(r.tradeNo);
      if (!t) {
        t = await this.steps.reload(r.tradeNo);
        byNo.set(r.tradeNo, t);
      }
      refunds.push(toRefund(t, r, 'Y'));
    }
    return { trades: [...byNo.values()].map(toTrade), refunds };
  }

  /** The merchant console's list: newest first, filtered, paged by trade number (time-sortable). */
  async listForMerchant(merchantId: string, filter: MerchantTradeFilter): Promise<{ trades: Trade[]; next: string | null }> {
    const limit = pageLimit(filter.limit);
    return page(await this.store.ofMerchant(merchantId, filter, limit + 1), limit);
  }

  /** One trade as its merchant follows it; another merchant's trade is indistinguishable from a missing one. */
  async timeline(merchantId: string, tradeNo: string): Promise<TradeTimeline> {
    const trade = toTrade(await this.steps.find(merchantId, { tradeNo }));
    const refunds = (await this.store.refundsOf(tradeNo)).map((r: RefundRecord) => ({
      outRequestNo: r.outRequestNo,
      amountMinor: r.refundMinor,
      status: r.status,
      reason: r.reason,
      createdAt: r.createdAtMs,
      gmtRefund: r.gmtRefundMs,
    }));
    const dispute = await this.store.dispute(tradeNo);
    const notifications = await this.store.notificationsOf(tradeNo);
    return { trade, events: timelineEvents(trade, refunds, dispute), refunds, dispute, notifications };
  }

  async answerDispute(merchantId: string, tradeNo: string, answer: string): Promise<Dispute> {
    const dispute = await this.store.dispute(tradeNo);
    if (!dispute || dispute.merchantId !== merchantId) throw notExist();
    if (!isUndecided(dispute)) throw decided();
    await this.store.answerDispute(tradeNo, answer);
    return (await this.store.dispute(tradeNo))!;
  }

  listFailedNotifications(merchantId: string): Promise<NotificationRecord[]> {
    return this.notifications.listFailed(merchantId);
  }

  resendNotification(merchantId: string, notifyId: string): Promise<NotificationRecord> {
    return this.notifications.resend(merchantId, notifyId);
  }

  // ---- buyer side ----

  async getForBuyer(tradeNo: string): Promise<Trade> {
    return toTrade(await this.steps.reload(tradeNo));
  }

  /** A buyer's or a seller's paid trades and how many came back refunded (return-shipping insurance prices from it). */
  returnHistory(party: { buyerUserId: string } | { merchantId: string }): Promise<{ paid: number; returned: number }> {
    return this.store.returnHistory(party);
  }

  /** The buyer's paid trades, newest first, paged by trade number. */
  async listForBuyer(buyerUserId: string, p: { limit: number; after?: string }): Promise<{ trades: Trade[]; next: string | null }> {
    const limit = pageLimit(p.limit);
    return page(await this.store.paidBy(buyerUserId, limit + 1, p.after), limit);
  }

  /**
   * Pays an open trade from the buyer's wallet; idempotent on requestId, and a trade is paid once.
   * A balance payment: the buyer must be verified and the amount fits the limits, claimed in the
   * same transaction as the step (a payment the ledger refuses gives it back). With the payment PIN
   * (checked first, and counted toward its lock) it is a two-factor payment, under the two-factor limits.
   */
  async payWithWallet(buyerUserId: string, tradeNo: string, requestId: string, pin?: string): Promise<Trade> {
    if (pin === undefined) return this.payFromWallet(buyerUserId, tradeNo, requestId, 'one_factor');
    await this.checkPin(buyerUserId, pin);
    return this.payFromWallet(buyerUserId, tradeNo, requestId, 'two_factor');
  }

  /** A wrong payment PIN stops the payment before anything moves. */
  async checkPin(buyerUserId: string, pin: string): Promise<void> {
    if (!(await this.d.identity.checkPaymentPin(buyerUserId, pin))) throw new WalletError('payment_pin_wrong', 'the payment PIN is wrong');
  }

  /**
   * The buyer of an in-store payment waiting for confirmation (the API's 10003) pays it with the
   * payment PIN (two factors, so the two-factor limits apply). Another user cannot tell it from a missing trade.
   */
  async confirmWithPin(buyerUserId: string, tradeNo: string, pin: string): Promise<Trade> {
    const t = await this.steps.reload(tradeNo);
    if (t.awaitingBuyerId !== buyerUserId) throw notExist();
    await this.checkPin(buyerUserId, pin);
    return this.payFromWallet(buyerUserId, tradeNo, `paycode-pin:${tradeNo}`, 'two_factor');
  }

  /**
   * Pays an open trade from one of the buyer's bound cards: the money comes in like a top-up, then
   * pays the trade as from the wallet (not a balance payment: no limits). An unknown bank answer
   * leaves the trade unpaid with the funding pending; the timers (or a replay) finish it later.
   */
  async payWithCard(buyerUserId: string, tradeNo: string, requestId: string, cardId: string): Promise<CardPayment> {
    return this.steps.lockedIfKnown(tradeNo, async (t) => {
      const known = await this.store.funding(tradeNo, buyerUserId, requestId);
      if (known) return this.driveFunding(t, known, cardId);
      await this.payableOrThrow(t);
      // Only the buyer's own bound card: anything else is refused before a funding is recorded.
      await this.channels().cards.bound(buyerUserId, cardId);
      await this.store.insertFunding({ tradeNo, buyerUserId, requestId, cardId, amountMinor: t.totalMinor }, this.d.clock.now());
      return this.driveFunding(t, (await this.store.funding(tradeNo, buyerUserId, requestId))!, cardId);
    });
  }

  /** The buyer has the goods: the escrow settles to the seller. Confirming again answers again. */
  async confirm(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.steps.buyerLocked(buyerUserId, tradeNo, async (t) => {
      if (t.productCode === 'ESCROW_TRADE_PAY' && t.settledAtMs !== undefined && t.status !== 'TRADE_CLOSED') return toTrade(t);
      if (t.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(t, 'only a shipped escrow trade can be confirmed');
      if (await this.disputeOpen(tradeNo)) throw statusError(t, 'the trade has an open dispute');
      return this.steps.settle(t);
    });
  }

  /** Extends the confirm timer once. */
  async extend(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.steps.buyerLocked(buyerUserId, tradeNo, async (t) => {
      if (t.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(t, 'only a shipped escrow trade can be extended');
      if (t.extended) throw statusError(t, 'the confirm timeout was already extended once');
      return this.steps.changeOrRetry(t, extendChange(t));
    });
  }

  /** Cancels an escrow trade the seller did not ship in time (the ship-by policy), refunding it all. */
  async cancelUnshipped(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.steps.buyerLocked(buyerUserId, tradeNo, async (t) => {
      if (t.status !== 'WAIT_SELLER_SEND_GOODS') throw statusError(t, 'only a paid escrow trade not shipped yet can be cancelled');
      const mayCancelAt = t.paidAtMs! + BUYER_MAY_CANCEL_UNSHIPPED_MS;
      if (this.d.clock.now() < mayCancelAt) {
        throw new TradeError('TRADE_STATUS_ERROR', `the seller has until ${new Date(mayCancelAt).toISOString()} to ship`, {
          may_cancel_at: String(mayCancelAt),
        });
      }
      await this.refundRest(t, UNSHIPPED_REFUND_REQUEST, 'not shipped in time: cancelled by the buyer');
      return toTrade(await this.steps.reload(tradeNo));
    });
  }

  /** The buyer opens a dispute while the platform holds the money; it pauses the confirm timer. One a trade. */
  async openDispute(buyerUserId: string, tradeNo: string, reason: string): Promise<Dispute> {
    return this.steps.buyerLocked(buyerUserId, tradeNo, async (t) => {
      const existing = await this.store.dispute(tradeNo);
      if (existing && isUndecided(existing)) return existing;
      if (existing) throw statusError(t, 'the trade already had a dispute, decided');
      if (!isHeld(t.status)) throw statusError(t, 'a dispute is opened while the platform holds the money');
      await this.store.openDispute(t, buyerUserId, reason, this.d.clock.now());
      return (await this.store.dispute(tradeNo))!;
    });
  }

  /** A one-time code for in-store payment: unguessable (random digits), short-lived, used by one payment. */
  async issuePaycode(userId: string): Promise<{ authCode: string; expiresAtMs: number }> {
    const expiresAtMs = this.d.clock.now() + PAYCODE_TTL_MS;
    for (;;) {
      // 28 + 16 digits: the length and prefix tills expect of a wallet's paycode.
      const authCode = `28${Array.from({ length: PAYCODE_RANDOM_DIGITS }, () => randomInt(10)).join('')}`;
      if (await this.store.insertPaycode(authCode, userId, expiresAtMs)) return { authCode, expiresAtMs };
    }
  }

  // ---- operator and background work ----

  /** The operator's decision: refund what is left to the buyer, or release the escrow to the seller. */
  async decideDispute(tradeNo: string, decision: 'refund' | 'release', operatorNote: string): Promise<Dispute> {
    return this.steps.locked(tradeNo, async (t) => {
      const dispute = await this.store.dispute(tradeNo);
      if (!dispute) throw notExist();
      const done = decision === 'refund' ? 'refunded' : 'released';
      if (dispute.status === done) return dispute;
      if (!isUndecided(dispute)) throw decided();
      if (decision === 'refund') {
        await this.refundRest(t, DISPUTE_REFUND_REQUEST, 'dispute');
      } else if (isHeld(t.status)) {
        await this.steps.settle(t);
      } else if (t.status !== 'TRADE_SUCCESS' && t.status !== 'TRADE_FINISHED') {
        throw statusError(t, 'nothing is held to release');
      }
      await this.store.decideDispute(tradeNo, done, decision, operatorNote, this.d.clock.now());
      return (await this.store.dispute(tradeNo))!;
    });
  }

  runTimers(): Promise<number> {
    return this.timers.run(this.d.clock.now());
  }

  sendNotifications(): Promise<number> {
    return this.notifications.sendDue();
  }

  /** When `runTimers` next has a trade to move (epoch ms), or null. */
  nextTimerDue(): Promise<number | null> {
    return this.timers.nextDue();
  }

  // ---- payments ----

  /** `alsoClaim` runs in the payment's claim (a paycode used up with the money, in one commit). */
  private payFromWallet(
    buyerUserId: string,
    tradeNo: string,
    requestId: string,
    factors: 'one_factor' | 'two_factor',
    alsoClaim?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<Trade> {
    return this.steps.lockedIfKnown(tradeNo, async (t) => {
      if (paidBy(t, buyerUserId, requestId)) return toTrade(t);
      await this.payableOrThrow(t, factors === 'two_factor');
      const limits = this.d.wallet.limits;
      const allowed = await limits.payerLimits(buyerUserId, factors);
      const spend = { ...tradeSpendKey(buyerUserId, tradeNo, requestId), amountMinor: t.totalMinor };
      return this.payLocked(t, buyerUserId, requestId, { fundingSource: 'wallet' }, async (tx) => {
        await alsoClaim?.(tx);
        await limits.claim(tx, spend, allowed);
      });
    });
  }

  /** Takes a card funding as far as the bank's answer allows. Runs under the trade's turn. */
  private async driveFunding(t: TradeRecord, f: FundingRecord, cardId = f.cardId): Promise<CardPayment> {
    if (f.cardId !== cardId) throw new WalletError('request_id_reused', `request_id '${f.requestId}' was already used to pay with another card`);
    if (f.status === 'paid' || f.status === 'in_wallet') return cardPayment(t, f);
    if (f.status === 'failed') throw cardDeclined('');
    // Exactly like a top-up; the request id derives from the trade, so a replay re-reads the same operation.
    const op = await this.channels().payments.topup(f.buyerUserId, {
      cardId: f.cardId,
      amountMinor: f.amountMinor,
      currency: PLATFORM_CURRENCY.code,
      requestId: `trade:${f.tradeNo}:${f.requestId}`,
    });
    if (op.status === 'started' || op.status === 'pending') return cardPayment(t, await this.markFunding(f, 'pending'));
    if (op.status !== 'succeeded') {
      await this.markFunding(f, 'failed');
      throw cardDeclined(op.reason);
    }
    // The money is in the buyer's wallet: it pays the trade if the trade still takes it, else it stays there.
    const current = await this.steps.reload(t.tradeNo);
    if (paidBy(current, f.buyerUserId, f.requestId)) return cardPayment(current, await this.markFunding(f, 'paid'));
    try {
      await this.payableOrThrow(current);
      await this.payLocked(current, f.buyerUserId, f.requestId, { fundingSource: 'card', fundingCardId: f.cardId });
      return cardPayment(await this.steps.reload(t.tradeNo), await this.markFunding(f, 'paid'));
    } catch (error) {
      if (!(error instanceof TradeError)) throw error;
      return cardPayment(await this.steps.reload(t.tradeNo), await this.markFunding(f, 'in_wallet'));
    }
  }

  private async markFunding(f: FundingRecord, status: FundingStatus): Promise<FundingRecord> {
    await this.store.markFunding(f, status);
    return (await this.store.funding(f.tradeNo, f.buyerUserId, f.requestId))!;
  }

  /** Throws unless the trade waits for payment; a trade past its payment timeout is closed first. */
  private async payableOrThrow(t: TradeRecord, pinConfirmed = false): Promise<void> {
    if (t.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
    if (t.status !== 'WAIT_BUYER_PAY') throw new TradeError('TRADE_HAS_SUCCESS', 'the trade has already been paid');
    if (t.awaitingBuyerId !== undefined && !pinConfirmed) throw new TradeError('TRADE_STATUS_ERROR', "this payment waits for the buyer's payment PIN");
    const now = this.d.clock.now();
    if (t.timeoutAtMs <= now) {
      await this.steps.change(t, closeChange(now));
      throw new TradeError('TRADE_HAS_CLOSE', 'the trade closed: its payment timeout passed');
    }
  }

  /** Claims the pay step (with `alsoClaim` in the same transaction) and runs it on the ledger. */
  private async payLocked(
    t: TradeRecord,
    buyerUserId: string,
    requestId: string,
    funding: Pick<Payer, 'fundingSource' | 'fundingCardId'>,
    alsoClaim?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<Trade> {
    const user = await this.d.identity.requireUser(buyerUserId);
    await this.d.wallet.openWallet(buyerUserId);
    const payer: Payer = { buyerUserId, buyerLogonId: maskPhone(user.phone), payRequestId: requestId, ...funding };
    const claimAlso =
      alsoClaim &&
      (async (tx: SqlExecutor) => {
        await alsoClaim(tx);
        return true;
      });
    const after = await this.steps.run(t, { kind: 'pay' }, (tx, op, at) => this.store.claimPay(tx, t, op, at, payer), claimAlso);
    return toTrade(after!);
  }

  // ---- refunds ----

  /** Refunds whatever is not refunded yet (cancel, a dispute decided for the buyer, ship-by). Under the trade's turn. */
  private async refundRest(t: TradeRecord, outRequestNo: string, reason: string): Promise<void> {
    const left = t.totalMinor - t.refundedMinor;
    if (left > 0n) await this.refundLocked(t, outRequestNo, left, reason);
  }

  private async refundLocked(t: TradeRecord, outRequestNo: string, amount: bigint, reason: string): Promise<Refund> {
    const previous = await this.store.refund(t.tradeNo, outRequestNo);
    if (previous) return replayRefund(t, previous, amount);
    if (amount <= 0n) throw new TradeError('INVALID_PARAMETER', 'refund_amount must be greater than zero');
    refundableOrThrow(t, this.d.clock.now());
    if (t.refundedMinor + amount > t.totalMinor) throw exceeds();
    const after = await this.runRefund(t, outRequestNo, amount, reason);
    const refund = (await this.store.refund(t.tradeNo, outRequestNo))!;
    if (!after) return replayRefund(t, refund, amount);
    // Card money goes back to the card; if the payout cannot be made now, the timers make it later.
    if (refund.payoutCardId !== undefined) {
      const due = { tradeNo: t.tradeNo, outRequestNo, refundMinor: refund.refundMinor, payoutCardId: refund.payoutCardId };
      await this.payOut(due, after.buyerUserId!).catch(() => undefined);
    }
    return toRefund(after, refund, 'Y');
  }

  /**
   * Lets another module add its part to every refund's step (pay later pays the buyer's line down
   * from it, decision 30): claimed, planned and recorded with the refund, in its one commit.
   */
  addRefundPart<C>(part: RefundPart<C>): void {
    this.steps.addRefundPart(part);
  }

  /** Records the refund and runs its step, in one commit; null when a concurrent twin recorded it first. */
  private runRefund(t: TradeRecord, outRequestNo: string, amount: bigint, reason: string): Promise<TradeRecord | null> {
    const op: Op = { kind: 'refund', outRequestNo, amountMinor: amount.toString() };
    const payoutCardId = t.fundingSource === 'card' ? t.fundingCardId : undefined;
    const record = { outRequestNo, amountMinor: amount, reason, atMs: this.d.clock.now(), payoutCardId };
    return this.steps.run(
      t,
      op,
      // The claim counts the refund on the trade; the check after it keeps refunds within the total.
      (tx, opJson, at) => this.store.claimRefund(tx, t, opJson, at, t.refundedMinor + amount),
      (tx) => this.store.insertRefund(tx, t, record),
      async (tx) => {
        if (!(await this.store.refundsFit(tx, t.tradeNo))) throw exceeds();
      },
    );
  }

  /**
   * Withdraws a done refund from the buyer's wallet to the card it was paid from, once. A bank
   * that declines or the buyer having spent the money leaves it in the wallet: never lost.
   */
  private async payOut(refund: PayoutDue, buyerUserId: string): Promise<void> {
    const requestId = `trade-refund:${refund.tradeNo}:${refund.outRequestNo}`;
    let opId: string;
    try {
      const input = { cardId: refund.payoutCardId, amountMinor: refund.refundMinor, currency: PLATFORM_CURRENCY.code, requestId };
      opId = (await this.channels().payments.withdraw(buyerUserId, input)).opId;
    } catch (error) {
      if (!(error instanceof WalletError)) throw error;
      opId = `refused:${error.code}`;
    }
    await this.store.payoutMade(refund.tradeNo, refund.outRequestNo, opId);
  }

  private channels(): { cards: CardService; payments: CardPaymentsService } {
    if (!this.d.cards || !this.d.cardPayments) throw new WalletError('channels_not_configured', 'card payments are not configured on this server');
    return { cards: this.d.cards, payments: this.d.cardPayments };
  }

  // ---- paycodes and disputes ----

  /** The user a live, unused code belongs to (a read: the code is used up by `usePaycode`). */
  private async paycodeOwner(authCode: string): Promise<string> {
    const owner = await this.store.paycodeOwner(authCode, this.d.clock.now());
    if (owner === undefined) throw invalidCode();
    return owner;
  }

  /** Uses the code up inside the caller's transaction (the payment's claim): once, while it lives. */
  private async usePaycode(tx: SqlExecutor, authCode: string): Promise<void> {
    if (!(await this.store.usePaycode(tx, authCode, this.d.clock.now()))) throw invalidCode();
  }

  /** Whether the trade has a dispute waiting for the operator (its confirm timer is paused). */
  private async disputeOpen(tradeNo: string): Promise<boolean> {
    const d = await this.store.dispute(tradeNo);
    return d !== undefined && isUndecided(d);
  }
}

function validateCreate(input: CreateInput): void {
  if (!input.outTradeNo || input.outTradeNo.length > 64) throw new TradeError('INVALID_PARAMETER', 'out_trade_no must be 1 to 64 characters');
  if (!input.subject || input.subject.length > 256) throw new TradeError('INVALID_PARAMETER', 'subject must be 1 to 256 characters');
  if (input.totalAmountMinor < 1n || input.totalAmountMinor > MAX_TOTAL_MINOR) {
    throw new TradeError('INVALID_PARAMETER', 'total_amount must be from 0.01 to 100000000.00');
  }
  if (input.productCode !== undefined && input.productCode !== 'FAST_INSTANT_TRADE_PAY' && input.productCode !== 'ESCROW_TRADE_PAY') {
    throw new TradeError('INVALID_PARAMETER', `product_code '${input.productCode}' is not supported`);
  }
}

/** The same out_trade_no must name the same order: subject, amount, product and body. */
function sameContent(t: TradeRecord, input: CreateInput, productCode: ProductCode): Trade {
  const same = t.subject === input.subject && t.totalMinor === input.totalAmountMinor && t.productCode === productCode && t.body === (input.body ?? t.body);
  if (!same) throw new TradeError('CONTEXT_INCONSISTENT', `out_trade_no '${input.outTradeNo}' was used for a different trade`);
  return toTrade(t);
}

function pageLimit(limit: number): number {
  return Math.min(Math.max(1, Math.trunc(limit)), MAX_PAGE);
}

/** The console list's cursor kind: bumped if its content changes, so an old cursor is refused, not misread. */
const TRADES_CURSOR = 't1';
/** A trade number as the list writes it (time-sortable ids; never a control character or a separator). */
const CURSOR_TRADE_NO = /^[A-Za-z0-9_-]{1,64}$/;

/** The merchant console list's next-page cursor: opaque to clients, it names the page's last trade. */
export function encodeTradesCursor(lastTradeNo: string): string {
  return Buffer.from(`${TRADES_CURSOR}:${lastTradeNo}`).toString('base64url');
}

/** The last trade number a cursor names, or undefined when the text is not a cursor the list handed out (the caller answers 400). */
export function decodeTradesCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const [kind, tradeNo, ...rest] = text.split(':');
  return kind === TRADES_CURSOR && rest.length === 0 && tradeNo !== undefined && CURSOR_TRADE_NO.test(tradeNo) ? tradeNo : undefined;
}

/** A page of `limit` trades from `limit + 1` read, and the cursor of the next page when there is one. */
function page(rows: TradeRecord[], limit: number): { trades: Trade[]; next: string | null } {
  const trades = rows.slice(0, limit).map(toTrade);
  return { trades, next: rows.length > limit ? trades[trades.length - 1].tradeNo : null };
}

/** Paid by this buyer's request: a replay answers the trade as it is. */
function paidBy(t: TradeRecord, buyerUserId: string, requestId: string): boolean {
  return t.buyerUserId === buyerUserId && t.payRequestId === requestId && t.paidAtMs !== undefined;
}

function cardPayment(t: TradeRecord, f: FundingRecord): CardPayment {
  const status = f.status === 'paid' || f.status === 'in_wallet' ? f.status : 'pending';
  return { trade: toTrade(t), funding: { cardId: f.cardId, status } };
}

function cardDeclined(reason: string): WalletError {
  const why = reason ? ` (${reason})` : '';
  return new WalletError('bank_refused', `the bank declined the card payment${why}; the trade is still unpaid and nothing was taken`, reason ? { reason } : {});
}

function refundableOrThrow(t: TradeRecord, nowMs: number): void {
  if (t.status === 'WAIT_BUYER_PAY') throw statusError(t, 'the trade is not paid');
  if (t.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
  const windowOver = t.status === 'TRADE_SUCCESS' && t.finishDueAtMs !== undefined && t.finishDueAtMs <= nowMs;
  if (t.status === 'TRADE_FINISHED' || windowOver) throw new TradeError('TRADE_NOT_ALLOW_REFUND', 'the refund window is over');
  if (nextStatus(t.status, 'refund_partial') === undefined) throw statusError(t, 'the trade cannot be refunded now');
}

function replayRefund(t: TradeRecord, refund: RefundRecord, amount: bigint): Refund {
  if (refund.refundMinor !== amount) throw new TradeError('CONTEXT_INCONSISTENT', `out_request_no '${refund.outRequestNo}' was used for another amount`);
  if (refund.status === 'failed') throw new TradeError('SELLER_BALANCE_NOT_ENOUGH', 'this refund was refused: the merchant balance was not enough');
  if (refund.status !== 'done') throw busy();
  return toRefund(t, refund, 'N');
}

function isUndecided(d: Dispute): boolean {
  return d.status === 'open' || d.status === 'answered';
}

const decided = () => new TradeError('TRADE_STATUS_ERROR', 'the dispute is decided');
const exceeds = () => new TradeError('REFUND_AMT_EXCEED', 'the refunds would exceed the amount paid');
const invalidCode = () => new TradeError('PAYMENT_AUTH_CODE_INVALID', 'the payment code is unknown, used or expired');
