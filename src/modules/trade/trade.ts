// The trade service: merchants' trades (instant and escrow) from creation to settlement, refunds
// and disputes, the buyer's side (pay from the wallet or a card, confirm, extend), paycodes, the
// timers and the notification outbox. This file only composes the parts and is the one seam other
// modules use; each part is its own file. Money moves only through ledger chains built in
// trade-ledger.ts; every command is idempotent on the merchant's numbers (out_trade_no,
// out_request_no) or the buyer's request id, and commands on one trade take turns (trade-core.ts).
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import type { IdentityService } from '../identity/identity.ts';
import { platformRevenueAccountId } from '../books/chart.ts';
import type { StepRunner } from '../books/step-runner.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { Paycodes } from './paycodes.ts';
import { CardFundings } from './trade-card-funding.ts';
import { TradeCore } from './trade-core.ts';
import { TradeDisputes } from './trade-disputes.ts';
import { TradeEscrow } from './trade-escrow.ts';
import { type Deliver, fetchDeliver, NotificationOutbox, type NotificationRecord } from './trade-notifications.ts';
import { type CreateInput, type PayInput, TradeOrders } from './trade-orders.ts';
import { type CardPayment, TradePayments } from './trade-payments.ts';
import { TradeQueries } from './trade-queries.ts';
import { TradeRefunds } from './trade-refunds.ts';
import { TRADE_MIGRATIONS } from './trade-schema.ts';
import { TradeSteps } from './trade-steps.ts';
import { TradeTimers } from './trade-timers.ts';
import type { LogisticsType } from './trade-timeouts.ts';
import type { Dispute, MerchantLookup, NotificationWire, Refund, Trade, TradeRef } from './trade-types.ts';
import { type MerchantTradeFilter, MerchantTradeViews, type TradeTimeline } from './trade-merchant-views.ts';

export { TradeError } from './trade-errors.ts';
export type { FundingStatus } from './trade-card-funding.ts';
export type {
  Dispute,
  FundingSource,
  MerchantInfo,
  MerchantLookup,
  NotificationSigner,
  NotificationWire,
  ProductCode,
  Refund,
  Trade,
  TradeRef,
  TradeStatus,
} from './trade-types.ts';
export type { NotificationRecord } from './trade-notifications.ts';
export type { CreateInput, PayInput } from './trade-orders.ts';
export type { MerchantTradeFilter, RefundEntry, TimelineEvent, TradeTimeline } from './trade-merchant-views.ts';
export { isTradeStatus } from './trade-merchant-views.ts';
export type { CardPayment } from './trade-payments.ts';

export interface TradeDeps {
  db: SqlDatabase;
  /** Moves every trade's money (pay, settle, refund) as steps on the books. */
  runner: StepRunner;
  clock: Clock;
  ids: IdSource;
  identity: IdentityService;
  wallet: WalletService;
  merchants: MerchantLookup;
  /** How notifications are worded and signed (the merchant protocol's wire). */
  notificationWire: NotificationWire;
  /** Where the hosted checkout lives; default FORMICA_PUBLIC_URL or http://127.0.0.1:8080. */
  publicBaseUrl?: string;
  /** How notifications are posted; default fetch with a 5 s timeout. */
  deliver?: Deliver;
  /** Bound cards and their channel operations; without them a trade cannot be paid by card. */
  cards?: CardService;
  cardPayments?: CardPaymentsService;
}

export class TradeService {
  readonly notifications: NotificationOutbox;
  private readonly paycodes: Paycodes;
  private readonly orders: TradeOrders;
  private readonly payments: TradePayments;
  private readonly escrow: TradeEscrow;
  private readonly refunds: TradeRefunds;
  private readonly disputes: TradeDisputes;
  private readonly queries: TradeQueries;
  private readonly timers: TradeTimers;
  private readonly views: MerchantTradeViews;

  private constructor(d: TradeDeps, publicBaseUrl: string) {
    const steps = new TradeSteps(d.db, d.runner, d.clock, d.ids, platformRevenueAccountId(PLATFORM_CURRENCY.code), d.wallet.limits, d.notificationWire);
    const core = new TradeCore(d.db, d.clock, d.ids, steps);
    const fundings = new CardFundings(d.db, d.clock, d.cards && d.cardPayments ? { cards: d.cards, payments: d.cardPayments } : undefined);
    this.notifications = new NotificationOutbox(d.db, d.clock, d.notificationWire, d.deliver ?? fetchDeliver());
    this.paycodes = new Paycodes(d.db, d.clock);
    this.refunds = new TradeRefunds(core, fundings);
    this.disputes = new TradeDisputes(core, this.refunds);
    this.payments = new TradePayments(core, d.identity, d.wallet, fundings);
    this.escrow = new TradeEscrow(core, this.disputes, this.refunds);
    this.orders = new TradeOrders(core, d.merchants, publicBaseUrl, this.paycodes, this.payments, this.refunds);
    this.queries = new TradeQueries(core, this.refunds);
    this.timers = new TradeTimers(core, fundings, this.payments, this.refunds, this.disputes);
    this.views = new MerchantTradeViews(core, this.refunds, this.disputes, this.notifications);
  }

  static async open(deps: TradeDeps): Promise<TradeService> {
    await deps.db.migrate('trade', TRADE_MIGRATIONS);
    const base = deps.publicBaseUrl ?? process.env.FORMICA_PUBLIC_URL ?? 'http://127.0.0.1:8080';
    return new TradeService(deps, base.replace(/\/+$/, ''));
  }

  // ---- merchant side ----

  create(merchantId: string, input: CreateInput): Promise<Trade> {
    return this.orders.create(merchantId, input);
  }

  precreate(merchantId: string, input: CreateInput): Promise<{ trade: Trade; qrCode: string }> {
    return this.orders.precreate(merchantId, input);
  }

  pay(merchantId: string, input: PayInput): Promise<Trade> {
    return this.orders.pay(merchantId, input);
  }

  query(merchantId: string, ref: TradeRef): Promise<Trade> {
    return this.queries.query(merchantId, ref);
  }

  ship(merchantId: string, ref: TradeRef, input: { logisticsType: LogisticsType; waybillNo?: string }): Promise<Trade> {
    return this.escrow.ship(merchantId, ref, input);
  }

  refund(merchantId: string, ref: TradeRef, input: { refundAmountMinor: bigint; outRequestNo?: string; reason?: string }): Promise<Refund> {
    return this.refunds.refund(merchantId, ref, input);
  }

  refundQuery(merchantId: string, ref: TradeRef, outRequestNo: string): Promise<Refund | undefined> {
    return this.refunds.refundQuery(merchantId, ref, outRequestNo);
  }

  close(merchantId: string, ref: TradeRef): Promise<Trade> {
    return this.orders.close(merchantId, ref);
  }

  cancel(merchantId: string, ref: TradeRef): Promise<Trade & { action: 'close' | 'refund' }> {
    return this.orders.cancel(merchantId, ref);
  }

  activity(merchantId: string, fromMs: number, toMs: number): Promise<{ trades: Trade[]; refunds: Refund[] }> {
    return this.queries.activity(merchantId, fromMs, toMs);
  }

  /** The merchant console's list: newest first, filtered, paged. */
  listForMerchant(merchantId: string, filter: MerchantTradeFilter): Promise<{ trades: Trade[]; next: string | null }> {
    return this.views.list(merchantId, filter);
  }

  /** One trade as its merchant follows it: events, refunds, dispute, notifications. */
  timeline(merchantId: string, tradeNo: string): Promise<TradeTimeline> {
    return this.views.timeline(merchantId, tradeNo);
  }

  answerDispute(merchantId: string, tradeNo: string, answer: string): Promise<Dispute> {
    return this.disputes.answer(merchantId, tradeNo, answer);
  }

  listFailedNotifications(merchantId: string): Promise<NotificationRecord[]> {
    return this.notifications.listFailed(merchantId);
  }

  resendNotification(merchantId: string, notifyId: string): Promise<NotificationRecord> {
    return this.notifications.resend(merchantId, notifyId);
  }

  // ---- buyer side ----

  getForBuyer(tradeNo: string): Promise<Trade> {
    return this.queries.getForBuyer(tradeNo);
  }

  /** A buyer's or a seller's paid trades and how many came back refunded (return-shipping insurance prices from it). */
  returnHistory(party: { buyerUserId: string } | { merchantId: string }): Promise<{ paid: number; returned: number }> {
    return this.queries.returnHistory(party);
  }

  listForBuyer(buyerUserId: string, page: { limit: number; after?: string }): Promise<{ trades: Trade[]; next: string | null }> {
    return this.queries.listForBuyer(buyerUserId, page);
  }

  payWithWallet(buyerUserId: string, tradeNo: string, requestId: string): Promise<Trade> {
    return this.payments.payWithWallet(buyerUserId, tradeNo, requestId);
  }

  /** The buyer confirms an in-store payment that answered 10003, with the payment PIN. */
  confirmWithPin(buyerUserId: string, tradeNo: string, pin: string): Promise<Trade> {
    return this.payments.confirmWithPin(buyerUserId, tradeNo, pin);
  }

  payWithCard(buyerUserId: string, tradeNo: string, requestId: string, cardId: string): Promise<CardPayment> {
    return this.payments.payWithCard(buyerUserId, tradeNo, requestId, cardId);
  }

  confirm(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.escrow.confirm(buyerUserId, tradeNo);
  }

  extend(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.escrow.extend(buyerUserId, tradeNo);
  }

  /** Cancels an escrow trade the seller did not ship in time (the ship-by policy), refunding it all. */
  cancelUnshipped(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.escrow.cancelUnshipped(buyerUserId, tradeNo);
  }

  openDispute(buyerUserId: string, tradeNo: string, reason: string): Promise<Dispute> {
    return this.disputes.open(buyerUserId, tradeNo, reason);
  }

  issuePaycode(userId: string): Promise<{ authCode: string; expiresAtMs: number }> {
    return this.paycodes.issue(userId);
  }

  // ---- operator and background work ----

  decideDispute(tradeNo: string, decision: 'refund' | 'release', operatorNote: string): Promise<Dispute> {
    return this.disputes.decide(tradeNo, decision, operatorNote);
  }

  runTimers(): Promise<number> {
    return this.timers.run();
  }

  sendNotifications(): Promise<number> {
    return this.notifications.sendDue();
  }

  /** When `runTimers` next has a trade to move (epoch ms), or null. */
  nextTimerDue(): Promise<number | null> {
    return this.timers.nextDue();
  }
}
