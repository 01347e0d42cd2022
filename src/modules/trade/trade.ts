// The trade service: merchants' trades (instant and escrow) from creation to settlement, refunds
// and disputes, the buyer's side (pay from the wallet, confirm, extend), paycodes, the timers and
// the notification outbox. Money moves only through ledger chains built in trade-ledger.ts; every
// command is idempotent on the merchant's numbers (out_trade_no, out_request_no) or the buyer's
// request id, and commands on one trade take turns.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { SqlDatabase, SqlExecutor, SqlParam } from '../../store/sql.ts';
import type { CardPaymentsService } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import type { IdentityService } from '../identity/identity.ts';
import { AccountCode, platformRevenueAccountId } from '../wallet/ledger-codes.ts';
import { WALLET_CURRENCY, type WalletService } from '../wallet/wallet.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import { KeyedLock } from './keyed-lock.ts';
import { CardFundings, type FundingRow } from './trade-card-funding.ts';
import { Paycodes } from './paycodes.ts';
import { TradeError } from './trade-errors.ts';
import { type Deliver, fetchDeliver, NotificationOutbox, type NotificationRecord } from './trade-notifications.ts';
import { TRADE_MIGRATIONS } from './trade-schema.ts';
import { isHeld, nextStatus, type TradeStatus } from './trade-states.ts';
import { TradeSteps, tradeSpendKey } from './trade-steps.ts';
import { CONFIRM_EXTENSION_MS, confirmTimeoutMs, type LogisticsType, payDeadlineMs, STALE_OPERATION_MS } from './trade-timeouts.ts';
import {
  type Dispute,
  type MerchantLookup,
  maskPhone,
  type NotificationSigner,
  type ProductCode,
  type Refund,
  type Trade,
  type TradeRef,
  type TradeRow,
  toTrade,
} from './trade-types.ts';

export { TradeError, tradeSubCode } from './trade-errors.ts';
export type { FundingStatus } from './trade-card-funding.ts';
export type { Dispute, FundingSource, MerchantInfo, MerchantLookup, NotificationSigner, ProductCode, Refund, Trade, TradeRef, TradeStatus } from './trade-types.ts';
export type { NotificationRecord } from './trade-notifications.ts';

export interface CreateInput {
  outTradeNo: string;
  subject: string;
  totalAmountMinor: bigint;
  productCode?: ProductCode;
  timeoutExpress?: string;
  notifyUrl?: string;
  body?: string;
}

export interface PayInput {
  outTradeNo: string;
  subject: string;
  totalAmountMinor: bigint;
  authCode: string;
  productCode?: ProductCode;
  notifyUrl?: string;
}

export interface TradeDeps {
  db: SqlDatabase;
  engine: LedgerEngine;
  clock: Clock;
  ids: IdSource;
  identity: IdentityService;
  wallet: WalletService;
  merchants: MerchantLookup;
  signNotification: NotificationSigner;
  /** Where the hosted checkout lives; default FORMICA_PUBLIC_URL or http://127.0.0.1:8080. */
  publicBaseUrl?: string;
  /** How notifications are posted; default fetch with a 5 s timeout. */
  deliver?: Deliver;
  /** Bound cards and their channel operations; without them a trade cannot be paid by card. */
  cards?: CardService;
  cardPayments?: CardPaymentsService;
}

/** A card payment's answer: the trade, and where the card's money is (started reads as pending). */
export interface CardPayment {
  trade: Trade;
  funding: { cardId: string; status: 'pending' | 'paid' | 'in_wallet' };
}

/** total_amount: 0.01 to 100000000.00 yuan. */
const MAX_TOTAL_MINOR = 10_000_000_000n;
const TIMER_BATCH = 100;
const DISPUTE_REFUND_REQUEST = 'DISPUTE_REFUND';

export class TradeService {
  private readonly locks = new KeyedLock();
  private readonly steps: TradeSteps;
  private readonly paycodes: Paycodes;
  private readonly fundings: CardFundings;
  readonly notifications: NotificationOutbox;

  private constructor(
    private readonly d: TradeDeps,
    private readonly publicBaseUrl: string,
  ) {
    this.steps = new TradeSteps(d.db, d.engine, d.clock, d.ids, platformRevenueAccountId(WALLET_CURRENCY.code), d.wallet.limits);
    this.fundings = new CardFundings(d.db, d.clock, d.cards && d.cardPayments ? { cards: d.cards, payments: d.cardPayments } : undefined);
    this.paycodes = new Paycodes(d.db, d.clock);
    this.notifications = new NotificationOutbox(d.db, d.clock, d.signNotification, d.deliver ?? fetchDeliver());
  }

  static async open(deps: TradeDeps): Promise<TradeService> {
    await deps.db.migrate('trade', TRADE_MIGRATIONS);
    // The merchant module opens it too; whoever starts first, the ledger answers `exists` after.
    await deps.engine.ensureAccount({
      id: platformRevenueAccountId(WALLET_CURRENCY.code),
      ledger: WALLET_CURRENCY.ledger,
      code: AccountCode.platformRevenue,
      flags: 0,
      userData: 'system',
    });
    const base = deps.publicBaseUrl ?? process.env.FORMICA_PUBLIC_URL ?? 'http://127.0.0.1:8080';
    return new TradeService(deps, base.replace(/\/+$/, ''));
  }

  // ---- merchant side ----

  /** Idempotent on (merchant, outTradeNo); the same number with other content is CONTEXT_INCONSISTENT. */
  async create(merchantId: string, input: CreateInput): Promise<Trade> {
    validateCreate(input);
    const productCode = input.productCode ?? 'FAST_INSTANT_TRADE_PAY';
    const existing = await this.byOutTradeNo(merchantId, input.outTradeNo);
    if (existing) return sameContent(existing, input, productCode);
    const merchant = await this.d.merchants.merchant(merchantId);
    if (!merchant) throw new TradeError('INVALID_PARAMETER', `unknown merchant '${merchantId}'`);
    const now = this.d.clock.now();
    const timeoutAt = payDeadlineMs(productCode, input.timeoutExpress, now);
    const tradeNo = this.d.ids.next('trd');
    await this.d.db.run(
      `INSERT INTO trades (trade_no, merchant_id, out_trade_no, subject, body, total_minor, currency, product_code, status, fee_bps,
         settlement_account_id, notify_url, app_id, timeout_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'CNY', ?, 'WAIT_BUYER_PAY', ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, out_trade_no) DO NOTHING`,
      [
        tradeNo, merchantId, input.outTradeNo, input.subject, input.body ?? '', input.totalAmountMinor, productCode, BigInt(merchant.feeBps),
        merchant.settlementAccountId, input.notifyUrl ?? merchant.notifyUrl ?? null, merchant.appId ?? null, BigInt(timeoutAt), BigInt(now),
      ],
    );
    // A concurrent create with the same number may have won; it decides.
    return sameContent((await this.byOutTradeNo(merchantId, input.outTradeNo))!, input, productCode);
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
    if (trade.status !== 'WAIT_BUYER_PAY') return trade; // a replay of a paid trade answers as before
    const buyer = await this.paycodes.consume(input.authCode);
    return this.payWithWallet(buyer, trade.tradeNo, `paycode:${input.authCode}`);
  }

  async query(merchantId: string, ref: TradeRef): Promise<Trade> {
    return toTrade(await this.find(merchantId, ref));
  }

  async ship(merchantId: string, ref: TradeRef, input: { logisticsType: LogisticsType; waybillNo?: string }): Promise<Trade> {
    const found = await this.find(merchantId, ref);
    return this.locked(found.trade_no, async (row) => {
      if (row.product_code !== 'ESCROW_TRADE_PAY') throw statusError(row, 'only escrow trades are shipped');
      // The same shipment sent again answers as before; any other is a second shipment, refused.
      const same = row.logistics_type === input.logisticsType && (row.waybill_no ?? undefined) === input.waybillNo;
      if (row.status === 'WAIT_BUYER_CONFIRM_GOODS' && same) return toTrade(row);
      if (row.status !== 'WAIT_SELLER_SEND_GOODS') throw statusError(row, 'the trade is not waiting for shipment');
      const now = this.d.clock.now();
      const timeout = BigInt(confirmTimeoutMs(input.logisticsType));
      // An open dispute pauses the timer: keep what is left instead of a due time.
      const paused = await this.openDispute_(row.trade_no);
      const set = {
        shipped_at: BigInt(now),
        logistics_type: input.logisticsType,
        waybill_no: input.waybillNo ?? null,
        confirm_due_at: paused ? null : BigInt(now) + timeout,
        confirm_left_ms: paused ? timeout : null,
      };
      return this.commitOrRetry(row, { event: 'ship', set });
    });
  }

  async refund(merchantId: string, ref: TradeRef, input: { refundAmountMinor: bigint; outRequestNo?: string; reason?: string }): Promise<Refund> {
    const found = await this.find(merchantId, ref);
    if (input.outRequestNo === undefined && input.refundAmountMinor !== BigInt(found.total_minor)) {
      throw new TradeError('REFUND_AMT_NOT_EQUAL_TOTAL', 'without out_request_no the refund must be the full amount');
    }
    return this.locked(found.trade_no, (row) => this.refundLocked(row, input.outRequestNo ?? row.out_trade_no, input.refundAmountMinor, input.reason ?? ''));
  }

  async refundQuery(merchantId: string, ref: TradeRef, outRequestNo: string): Promise<Refund | undefined> {
    const row = await this.find(merchantId, ref);
    const refund = await this.refundRow(row.trade_no, outRequestNo);
    return refund?.status === 'done' ? toRefund(row, refund, 'Y') : undefined;
  }

  /** Closes an unpaid trade; closing a closed one answers it again. */
  async close(merchantId: string, ref: TradeRef): Promise<Trade> {
    const found = await this.find(merchantId, ref);
    return this.locked(found.trade_no, async (row) => {
      if (row.status === 'TRADE_CLOSED') return toTrade(row);
      if (row.status !== 'WAIT_BUYER_PAY') throw statusError(row, 'only an unpaid trade can be closed');
      return this.commitOrRetry(row, { event: 'close', set: { closed_at: BigInt(this.d.clock.now()) } });
    });
  }

  /** Undoes a trade whatever its state: closes it if unpaid, refunds what is left if paid. */
  async cancel(merchantId: string, ref: TradeRef): Promise<Trade & { action: 'close' | 'refund' }> {
    const found = await this.find(merchantId, ref);
    return this.locked(found.trade_no, async (row) => {
      if (row.status === 'TRADE_CLOSED' && row.paid_at === null) return { ...toTrade(row), action: 'close' as const };
      if (row.status === 'WAIT_BUYER_PAY') {
        const closed = await this.commitOrRetry(row, { event: 'close', set: { closed_at: BigInt(this.d.clock.now()) } });
        return { ...closed, action: 'close' as const };
      }
      const left = BigInt(row.total_minor) - BigInt(row.refunded_minor);
      if (left > 0n) await this.refundLocked(row, `CANCEL-${row.out_trade_no}`, left, 'cancel');
      return { ...toTrade(await this.reload(row.trade_no)), action: 'refund' as const };
    });
  }

  /** A merchant's trades and refunds touched in [fromMs, toMs), for the daily bill; the trades
   *  include every trade a listed refund belongs to. */
  async activity(merchantId: string, fromMs: number, toMs: number): Promise<{ trades: Trade[]; refunds: Refund[] }> {
    const [from, to] = [BigInt(fromMs), BigInt(toMs)];
    const rows = await this.d.db.all<TradeRow>(
      `SELECT * FROM trades WHERE merchant_id = ? AND ((created_at >= ? AND created_at < ?) OR (paid_at >= ? AND paid_at < ?)
         OR (settled_at >= ? AND settled_at < ?) OR (closed_at >= ? AND closed_at < ?))
       ORDER BY created_at, trade_no`,
      [merchantId, from, to, from, to, from, to, from, to],
    );
    const refunds = await this.d.db.all<RefundRow>(
      "SELECT * FROM trade_refunds WHERE merchant_id = ? AND status = 'done' AND gmt_refund >= ? AND gmt_refund < ? ORDER BY gmt_refund",
      [merchantId, from, to],
    );
    const byNo = new Map(rows.map((r) => [r.trade_no, r]));
    const refundList: Refund[] = [];
    for (const r of refunds) {
      let trade = byNo.get(r.trade_no);
      if (!trade) {
        trade = await this.reload(r.trade_no);
        byNo.set(r.trade_no, trade);
      }
      refundList.push(toRefund(trade, r, 'Y'));
    }
    return { trades: [...byNo.values()].map(toTrade), refunds: refundList };
  }

  listFailedNotifications(merchantId: string): Promise<NotificationRecord[]> {
    return this.notifications.listFailed(merchantId);
  }

  resendNotification(merchantId: string, notifyId: string): Promise<NotificationRecord> {
    return this.notifications.resend(merchantId, notifyId);
  }

  // ---- buyer side ----

  async getForBuyer(tradeNo: string): Promise<Trade> {
    const row = await this.steps.load(tradeNo);
    if (!row) throw notExist();
    return toTrade(row);
  }

  /**
   * Pays an open trade from the buyer's wallet; idempotent on requestId, and a trade is paid once.
   * A balance payment: the buyer must be verified and the amount fits the limits, claimed in the
   * same transaction as the step (a payment the ledger refuses gives it back).
   */
  async payWithWallet(buyerUserId: string, tradeNo: string, requestId: string): Promise<Trade> {
    if (!(await this.steps.load(tradeNo))) throw notExist();
    return this.locked(tradeNo, async (row) => {
      if (paidBy(row, buyerUserId, requestId)) return toTrade(row);
      await this.payableOrThrow(row);
      const limits = this.d.wallet.limits;
      const allowed = await limits.payerLimits(buyerUserId, 'one_factor');
      const spend = { ...tradeSpendKey(buyerUserId, tradeNo, requestId), amountMinor: BigInt(row.total_minor) };
      return this.payLocked(row, buyerUserId, requestId, { funding_source: 'wallet', funding_card_id: null }, (tx) => limits.claim(tx, spend, allowed));
    });
  }

  /**
   * Pays an open trade from one of the buyer's bound cards: the money comes in like a top-up, then
   * pays the trade as from the wallet (not a balance payment: no limits). An unknown bank answer
   * leaves the trade unpaid with the funding pending; the timers (or a replay) finish it later.
   */
  async payWithCard(buyerUserId: string, tradeNo: string, requestId: string, cardId: string): Promise<CardPayment> {
    if (!(await this.steps.load(tradeNo))) throw notExist();
    return this.locked(tradeNo, async (row) => {
      const known = await this.fundings.find(tradeNo, buyerUserId, requestId);
      if (known) return this.driveFunding(row, known, cardId);
      await this.payableOrThrow(row);
      return this.driveFunding(row, await this.fundings.start(tradeNo, buyerUserId, requestId, cardId, BigInt(row.total_minor)), cardId);
    });
  }

  /** Takes a card funding as far as the bank's answer allows. Runs under the trade's lock. */
  private async driveFunding(row: TradeRow, f: FundingRow, cardId = f.card_id): Promise<CardPayment> {
    if (f.card_id !== cardId) throw new WalletError('request_id_reused', `request_id '${f.request_id}' was already used to pay with another card`);
    if (f.status === 'paid' || f.status === 'in_wallet') return cardPayment(row, f);
    if (f.status === 'failed') throw cardDeclined('');
    const op = await this.fundings.bringIn(f);
    if (op.status === 'started' || op.status === 'pending') return cardPayment(row, await this.fundings.mark(f, 'pending'));
    if (op.status !== 'succeeded') {
      await this.fundings.mark(f, 'failed');
      throw cardDeclined(op.reason);
    }
    // The money is in the buyer's wallet: it pays the trade if the trade still takes it, else it stays there.
    const current = await this.reload(row.trade_no);
    if (paidBy(current, f.buyer_user_id, f.request_id)) return cardPayment(current, await this.fundings.mark(f, 'paid'));
    try {
      await this.payableOrThrow(current);
      const card = { funding_source: 'card', funding_card_id: f.card_id };
      await this.payLocked(current, f.buyer_user_id, f.request_id, card);
      return cardPayment(await this.reload(row.trade_no), await this.fundings.mark(f, 'paid'));
    } catch (error) {
      if (!(error instanceof TradeError)) throw error;
      return cardPayment(await this.reload(row.trade_no), await this.fundings.mark(f, 'in_wallet'));
    }
  }

  /** Throws unless the trade waits for payment; a trade past its payment timeout is closed first. */
  private async payableOrThrow(row: TradeRow): Promise<void> {
    if (row.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
    if (row.status !== 'WAIT_BUYER_PAY') throw new TradeError('TRADE_HAS_SUCCESS', 'the trade has already been paid');
    if (BigInt(row.timeout_at) <= BigInt(this.d.clock.now())) {
      await this.steps.commit(row, { event: 'close', set: { closed_at: BigInt(this.d.clock.now()) } });
      throw new TradeError('TRADE_HAS_CLOSE', 'the trade closed: its payment timeout passed');
    }
  }

  /** Claims the pay step (with `alsoClaim` in the same transaction) and runs it on the ledger. */
  private async payLocked(
    row: TradeRow,
    buyerUserId: string,
    requestId: string,
    funding: Record<string, SqlParam>,
    alsoClaim?: (tx: SqlExecutor) => Promise<unknown>,
  ): Promise<Trade> {
    const user = await this.d.identity.requireUser(buyerUserId);
    await this.d.wallet.openWallet(buyerUserId);
    const set = { buyer_user_id: buyerUserId, buyer_logon_id: maskPhone(user.phone), pay_request_id: requestId, ...funding };
    const claimed = await this.d.db.transaction(async (tx) => {
      if (!(await this.steps.claim(row, { kind: 'pay' }, set, tx))) return false;
      await alsoClaim?.(tx);
      return true;
    });
    if (!claimed) throw busy();
    return toTrade(await this.steps.execute(await this.reload(row.trade_no)));
  }

  /** The buyer has the goods: the escrow settles to the seller. Confirming again answers again. */
  async confirm(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.buyerLocked(buyerUserId, tradeNo, async (row) => {
      if (row.product_code === 'ESCROW_TRADE_PAY' && row.settled_at !== null && row.status !== 'TRADE_CLOSED') return toTrade(row);
      if (row.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(row, 'only a shipped escrow trade can be confirmed');
      if (await this.openDispute_(tradeNo)) throw statusError(row, 'the trade has an open dispute');
      return this.settle(row);
    });
  }

  /** Extends the confirm timer once by CONFIRM_EXTENSION_MS. */
  async extend(buyerUserId: string, tradeNo: string): Promise<Trade> {
    return this.buyerLocked(buyerUserId, tradeNo, async (row) => {
      if (row.status !== 'WAIT_BUYER_CONFIRM_GOODS') throw statusError(row, 'only a shipped escrow trade can be extended');
      if (BigInt(row.extended) === 1n) throw statusError(row, 'the confirm timeout was already extended once');
      const ext = BigInt(CONFIRM_EXTENSION_MS);
      const set: Record<string, SqlParam> =
        row.confirm_due_at === null ? { extended: 1n, confirm_left_ms: BigInt(row.confirm_left_ms ?? 0n) + ext } : { extended: 1n, confirm_due_at: BigInt(row.confirm_due_at) + ext };
      return this.commitOrRetry(row, { set });
    });
  }

  async openDispute(buyerUserId: string, tradeNo: string, reason: string): Promise<Dispute> {
    return this.buyerLocked(buyerUserId, tradeNo, async (row) => {
      const existing = await this.disputeRow(tradeNo);
      if (existing && (existing.status === 'open' || existing.status === 'answered')) return toDispute(existing);
      if (existing) throw statusError(row, 'the trade already had a dispute, decided');
      if (!isHeld(row.status as TradeStatus)) throw statusError(row, 'a dispute is opened while the platform holds the money');
      const now = BigInt(this.d.clock.now());
      await this.d.db.transaction(async (tx) => {
        await tx.run("INSERT INTO trade_disputes (trade_no, buyer_user_id, merchant_id, reason, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)", [
          tradeNo, buyerUserId, row.merchant_id, reason, now,
        ]);
        // The open request pauses the confirm timer; what was left resumes if it is released.
        await tx.run('UPDATE trades SET confirm_left_ms = confirm_due_at - ?, confirm_due_at = NULL WHERE trade_no = ? AND confirm_due_at IS NOT NULL', [now, tradeNo]);
      });
      return toDispute((await this.disputeRow(tradeNo))!);
    });
  }

  async answerDispute(merchantId: string, tradeNo: string, answer: string): Promise<Dispute> {
    const dispute = await this.disputeRow(tradeNo);
    if (!dispute || dispute.merchant_id !== merchantId) throw notExist();
    if (dispute.status !== 'open' && dispute.status !== 'answered') throw new TradeError('TRADE_STATUS_ERROR', 'the dispute is decided');
    await this.d.db.run("UPDATE trade_disputes SET answer = ?, status = 'answered' WHERE trade_no = ? AND status IN ('open', 'answered')", [answer, tradeNo]);
    return toDispute((await this.disputeRow(tradeNo))!);
  }

  /** The operator's decision: refund what is left to the buyer, or release the escrow to the seller. */
  async decideDispute(tradeNo: string, decision: 'refund' | 'release', operatorNote: string): Promise<Dispute> {
    return this.locked(tradeNo, async (row) => {
      const dispute = await this.disputeRow(tradeNo);
      if (!dispute) throw notExist();
      const done = decision === 'refund' ? 'refunded' : 'released';
      if (dispute.status === done) return toDispute(dispute);
      if (dispute.status !== 'open' && dispute.status !== 'answered') throw new TradeError('TRADE_STATUS_ERROR', 'the dispute is decided');
      if (decision === 'refund') {
        const left = BigInt(row.total_minor) - BigInt(row.refunded_minor);
        if (left > 0n) await this.refundLocked(row, DISPUTE_REFUND_REQUEST, left, 'dispute');
      } else if (isHeld(row.status as TradeStatus)) {
        await this.settle(row);
      } else if (row.status !== 'TRADE_SUCCESS' && row.status !== 'TRADE_FINISHED') {
        throw statusError(row, 'nothing is held to release');
      }
      await this.d.db.run('UPDATE trade_disputes SET status = ?, decision = ?, operator_note = ?, decided_at = ? WHERE trade_no = ?', [
        done, decision, operatorNote, BigInt(this.d.clock.now()), tradeNo,
      ]);
      return toDispute((await this.disputeRow(tradeNo))!);
    });
  }

  issuePaycode(userId: string): Promise<{ authCode: string; expiresAtMs: number }> {
    return this.paycodes.issue(userId);
  }

  /** The buyer's trades, newest first, paged by trade number. */
  async listForBuyer(buyerUserId: string, page: { limit: number; after?: string }): Promise<{ trades: Trade[]; next: string | null }> {
    const limit = Math.min(Math.max(1, Math.trunc(page.limit)), 100);
    const params: SqlParam[] = [buyerUserId];
    let where = 'buyer_user_id = ? AND paid_at IS NOT NULL';
    if (page.after) {
      where += ' AND trade_no < ?';
      params.push(page.after);
    }
    const rows = await this.d.db.all<TradeRow>(`SELECT * FROM trades WHERE ${where} ORDER BY trade_no DESC LIMIT ?`, [...params, limit + 1]);
    const more = rows.length > limit;
    const trades = rows.slice(0, limit).map(toTrade);
    return { trades, next: more ? trades[trades.length - 1].tradeNo : null };
  }

  // ---- background work ----

  /** Resumes cut-short steps, closes unpaid trades, auto-confirms, finishes; returns how many moved. */
  async runTimers(): Promise<number> {
    const now = BigInt(this.d.clock.now());
    let moved = 0;
    moved += await this.sweep('op_at IS NOT NULL AND op_at <= ?', [now - BigInt(STALE_OPERATION_MS)], async () => true);
    moved += await this.sweep("status = 'WAIT_BUYER_PAY' AND timeout_at <= ?", [now], async (row) => {
      if (row.status !== 'WAIT_BUYER_PAY' || BigInt(row.timeout_at) > now) return false;
      return (await this.steps.commit(row, { event: 'close', set: { closed_at: now } })) !== undefined;
    });
    moved += await this.sweep("status = 'WAIT_BUYER_CONFIRM_GOODS' AND confirm_due_at <= ?", [now], async (row) => {
      if (row.status !== 'WAIT_BUYER_CONFIRM_GOODS' || row.confirm_due_at === null || BigInt(row.confirm_due_at) > now) return false;
      await this.settle(row);
      return true;
    });
    moved += await this.sweep("status = 'TRADE_SUCCESS' AND finish_due_at <= ?", [now], async (row) => {
      if (row.status !== 'TRADE_SUCCESS' || row.finish_due_at === null || BigInt(row.finish_due_at) > now) return false;
      return (await this.steps.commit(row, { event: 'finish' })) !== undefined;
    });
    moved += await this.resolveCardFundings(Number(now));
    moved += await this.payOutRefunds();
    return moved;
  }

  /** Card fundings whose bank answer was unknown: finishes those the bank has answered since. */
  private async resolveCardFundings(nowMs: number): Promise<number> {
    let moved = 0;
    for (const due of await this.fundings.due(nowMs - STALE_OPERATION_MS, TIMER_BATCH)) {
      try {
        const after = await this.locked(due.trade_no, async (row) => {
          const f = await this.fundings.find(due.trade_no, due.buyer_user_id, due.request_id);
          return this.driveFunding(row, f!);
        });
        if (after.funding.status !== 'pending') moved += 1;
      } catch (error) {
        // A declined funding is recorded as failed before this is thrown; nothing else to do.
        if (!(error instanceof WalletError || error instanceof TradeError)) throw error;
        moved += 1;
      }
    }
    return moved;
  }

  /** Refunds of card-paid trades whose payout to the card has not been made (cut short, or a bank hiccup). */
  private async payOutRefunds(): Promise<number> {
    const due = await this.fundings.payoutsDue(TIMER_BATCH);
    for (const refund of due) await this.locked(refund.trade_no, (row) => this.fundings.payOut(refund, row.buyer_user_id!));
    return due.length;
  }

  sendNotifications(): Promise<number> {
    return this.notifications.sendDue();
  }

  // ---- internals ----

  /** Runs `fn` on each due trade (re-read under its lock), in batches until none is due. */
  private async sweep(where: string, params: SqlParam[], fn: (row: TradeRow) => Promise<boolean>): Promise<number> {
    let moved = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = await this.d.db.all<{ trade_no: string }>(`SELECT trade_no FROM trades WHERE ${where} ORDER BY trade_no LIMIT ?`, [...params, TIMER_BATCH]);
      const fresh = due.filter((r) => !seen.has(r.trade_no));
      if (fresh.length === 0) return moved;
      for (const { trade_no } of fresh) {
        seen.add(trade_no);
        try {
          if (await this.locked(trade_no, fn)) moved += 1;
        } catch (error) {
          if (!(error instanceof TradeError)) throw error;
        }
      }
    }
  }

  /** Takes the trade's turn, finishes any step left in flight, and hands `fn` the current row. */
  private locked<T>(tradeNo: string, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    return this.locks.run(tradeNo, async () => {
      let row = await this.steps.load(tradeNo);
      if (!row) throw notExist();
      if (row.pending_op !== null) row = await this.steps.resume(row);
      return fn(row);
    });
  }

  /** As locked, for the trade's buyer only; anyone else is told it does not exist. */
  private async buyerLocked<T>(buyerUserId: string, tradeNo: string, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    return this.locked(tradeNo, async (row) => {
      if (row.buyer_user_id !== buyerUserId) throw notExist();
      return fn(row);
    });
  }

  private async settle(row: TradeRow): Promise<Trade> {
    if (!(await this.steps.claim(row, { kind: 'settle' }))) throw busy();
    return toTrade(await this.steps.execute(await this.reload(row.trade_no)));
  }

  private async refundLocked(row: TradeRow, outRequestNo: string, amount: bigint, reason: string): Promise<Refund> {
    const previous = await this.refundRow(row.trade_no, outRequestNo);
    if (previous) return replayRefund(row, previous, amount);
    if (amount <= 0n) throw new TradeError('INVALID_PARAMETER', 'refund_amount must be greater than zero');
    refundableOrThrow(row, this.d.clock.now());
    if (BigInt(row.refunded_minor) + amount > BigInt(row.total_minor)) {
      throw new TradeError('REFUND_AMT_EXCEED', 'the refunds would exceed the amount paid');
    }
    const op = { kind: 'refund' as const, outRequestNo, amountMinor: amount.toString() };
    const claimed = await this.d.db.transaction(async (tx) => {
      const inserted = await tx.run(
        `INSERT INTO trade_refunds (trade_no, out_request_no, merchant_id, out_trade_no, refund_minor, status, reason, created_at)
         VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?) ON CONFLICT (trade_no, out_request_no) DO NOTHING`,
        [row.trade_no, outRequestNo, row.merchant_id, row.out_trade_no, amount, reason, BigInt(this.d.clock.now())],
      );
      if (inserted.changes === 0) return false;
      // The claim and the amount check are one statement: refunds can never add up past the total.
      const set = { refunded_minor: BigInt(row.refunded_minor) + amount };
      if (!(await this.steps.claim({ ...row }, op, set, tx))) throw busy();
      await this.fundings.owePayout(tx, row.trade_no, outRequestNo, row.funding_source === 'card' ? row.funding_card_id : null);
      const check = await tx.get<{ ok: bigint }>('SELECT COUNT(*) AS ok FROM trades WHERE trade_no = ? AND refunded_minor <= total_minor', [row.trade_no]);
      if (BigInt(check?.ok ?? 0) !== 1n) throw new TradeError('REFUND_AMT_EXCEED', 'the refunds would exceed the amount paid');
      return true;
    });
    if (!claimed) return replayRefund(row, (await this.refundRow(row.trade_no, outRequestNo))!, amount);
    const after = await this.steps.execute(await this.reload(row.trade_no));
    const refund = (await this.refundRow(row.trade_no, outRequestNo))!;
    // Card money goes back to the card; if the payout cannot be made now, the timers make it later.
    if (refund.payout_card_id !== null) await this.fundings.payOut({ ...refund, payout_card_id: refund.payout_card_id }, after.buyer_user_id!).catch(() => undefined);
    return toRefund(after, refund, 'Y');
  }

  private async commitOrRetry(row: TradeRow, change: Parameters<TradeSteps['commit']>[1]): Promise<Trade> {
    const after = await this.steps.commit(row, change);
    if (!after) throw busy();
    return toTrade(after);
  }

  private async reload(tradeNo: string): Promise<TradeRow> {
    const row = await this.steps.load(tradeNo);
    if (!row) throw notExist();
    return row;
  }

  private byOutTradeNo(merchantId: string, outTradeNo: string): Promise<TradeRow | undefined> {
    return this.d.db.get<TradeRow>('SELECT * FROM trades WHERE merchant_id = ? AND out_trade_no = ?', [merchantId, outTradeNo]);
  }

  private async find(merchantId: string, ref: TradeRef): Promise<TradeRow> {
    let row: TradeRow | undefined;
    if (ref.tradeNo) row = await this.steps.load(ref.tradeNo);
    else if (ref.outTradeNo) row = await this.byOutTradeNo(merchantId, ref.outTradeNo);
    else throw new TradeError('INVALID_PARAMETER', 'trade_no or out_trade_no is required');
    if (!row || row.merchant_id !== merchantId) throw notExist();
    if (ref.tradeNo && ref.outTradeNo && row.out_trade_no !== ref.outTradeNo) throw notExist();
    return row;
  }

  private refundRow(tradeNo: string, outRequestNo: string): Promise<RefundRow | undefined> {
    return this.d.db.get<RefundRow>('SELECT * FROM trade_refunds WHERE trade_no = ? AND out_request_no = ?', [tradeNo, outRequestNo]);
  }

  private disputeRow(tradeNo: string): Promise<DisputeRow | undefined> {
    return this.d.db.get<DisputeRow>('SELECT * FROM trade_disputes WHERE trade_no = ?', [tradeNo]);
  }

  private async openDispute_(tradeNo: string): Promise<boolean> {
    const d = await this.disputeRow(tradeNo);
    return d?.status === 'open' || d?.status === 'answered';
  }
}

interface RefundRow extends Record<string, unknown> {
  trade_no: string;
  out_request_no: string;
  refund_minor: bigint;
  status: string;
  refunded_total_minor: bigint;
  gmt_refund: bigint | null;
  payout_card_id: string | null;
}

interface DisputeRow extends Record<string, unknown> {
  trade_no: string;
  buyer_user_id: string;
  merchant_id: string;
  reason: string;
  answer: string | null;
  status: string;
  operator_note: string | null;
  created_at: bigint;
  decided_at: bigint | null;
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
function sameContent(row: TradeRow, input: CreateInput, productCode: ProductCode): Trade {
  const same = row.subject === input.subject && BigInt(row.total_minor) === input.totalAmountMinor && row.product_code === productCode && row.body === (input.body ?? row.body);
  if (!same) throw new TradeError('CONTEXT_INCONSISTENT', `out_trade_no '${input.outTradeNo}' was used for a different trade`);
  return toTrade(row);
}

function refundableOrThrow(row: TradeRow, nowMs: number): void {
  const status = row.status as TradeStatus;
  if (status === 'WAIT_BUYER_PAY') throw statusError(row, 'the trade is not paid');
  if (status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
  const windowOver = status === 'TRADE_SUCCESS' && row.finish_due_at !== null && BigInt(row.finish_due_at) <= BigInt(nowMs);
  if (status === 'TRADE_FINISHED' || windowOver) throw new TradeError('TRADE_NOT_ALLOW_REFUND', 'the refund window is over');
  if (nextStatus(status, 'refund_partial') === undefined) throw statusError(row, 'the trade cannot be refunded now');
}

function replayRefund(row: TradeRow, refund: RefundRow, amount: bigint): Refund {
  if (BigInt(refund.refund_minor) !== amount) throw new TradeError('CONTEXT_INCONSISTENT', `out_request_no '${refund.out_request_no}' was used for another amount`);
  if (refund.status === 'failed') throw new TradeError('SELLER_BALANCE_NOT_ENOUGH', 'this refund was refused: the merchant balance was not enough');
  if (refund.status !== 'done') throw busy();
  return toRefund(row, refund, 'N');
}

function toRefund(row: TradeRow, r: RefundRow, fundChange: 'Y' | 'N'): Refund {
  return {
    tradeNo: row.trade_no,
    outTradeNo: row.out_trade_no,
    outRequestNo: r.out_request_no,
    refundAmountMinor: BigInt(r.refund_minor),
    fundChange,
    refundedTotalMinor: BigInt(r.refunded_total_minor),
    gmtRefundMs: Number(r.gmt_refund ?? 0n),
  };
}

function toDispute(r: DisputeRow): Dispute {
  return {
    tradeNo: r.trade_no,
    buyerUserId: r.buyer_user_id,
    merchantId: r.merchant_id,
    reason: r.reason,
    answer: r.answer ?? undefined,
    status: r.status as Dispute['status'],
    operatorNote: r.operator_note ?? undefined,
    createdAtMs: Number(r.created_at),
    decidedAtMs: r.decided_at === null ? undefined : Number(r.decided_at),
  };
}

/** Paid by this buyer's request: a replay answers the trade as it is. */
function paidBy(row: TradeRow, buyerUserId: string, requestId: string): boolean {
  return row.buyer_user_id === buyerUserId && row.pay_request_id === requestId && row.paid_at !== null;
}

function cardPayment(row: TradeRow, f: FundingRow): CardPayment {
  const status = f.status === 'paid' || f.status === 'in_wallet' ? f.status : 'pending';
  return { trade: toTrade(row), funding: { cardId: f.card_id, status } };
}

function cardDeclined(reason: string): WalletError {
  const why = reason ? ` (${reason})` : '';
  return new WalletError('bank_refused', `the bank declined the card payment${why}; the trade is still unpaid and nothing was taken`, reason ? { reason } : {});
}

const notExist = () => new TradeError('TRADE_NOT_EXIST', 'the trade does not exist');
const busy = () => new TradeError('SYSTEM_ERROR', 'the trade is being changed by another request; retry');
const statusError = (row: TradeRow, why: string) => new TradeError('TRADE_STATUS_ERROR', `${why} (trade is ${row.status})`);
