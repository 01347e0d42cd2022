// The trade module's one store: its tables, the typed records their rows map to, and every
// statement on them; no other file of trade/ holds SQL or reads a row. Each change of a trade is an
// explicit UPDATE of its own (a TradeChange kind) with a compare-and-set on the state it moves from
// and on the step in flight, so two writers never both win.
import type { SqlDatabase, SqlExecutor, SqlParam, SqlRow } from '../../store/sql.ts';
import type { TradeChange } from './trade-plans.ts';
import type { TradeStatus } from './trade-states.ts';
import type {
  Dispute,
  FundingSource,
  LogisticsType,
  NotificationContent,
  NotificationEvent,
  NotificationRecord,
  ProductCode,
  RefundRecord,
  TradeRecord,
} from './trade-types.ts';

// ---- rows as the tables hold them (integers come back as bigint on both stores) ----

interface TradeRow extends SqlRow {
  trade_no: string;
  merchant_id: string;
  out_trade_no: string;
  subject: string;
  body: string;
  total_minor: bigint;
  product_code: string;
  status: string;
  fee_bps: bigint;
  settlement_account_id: string;
  notify_url: string | null;
  app_id: string | null;
  timeout_at: bigint;
  created_at: bigint;
  buyer_user_id: string | null;
  buyer_logon_id: string | null;
  pay_request_id: string | null;
  paid_at: bigint | null;
  closed_at: bigint | null;
  shipped_at: bigint | null;
  logistics_type: string | null;
  waybill_no: string | null;
  confirm_due_at: bigint | null;
  confirm_left_ms: bigint | null;
  extended: bigint;
  settled_at: bigint | null;
  finish_due_at: bigint | null;
  held_minor: bigint;
  settled_minor: bigint;
  settled_amount_minor: bigint;
  fee_minor: bigint;
  refunded_minor: bigint;
  hold_id: string | null;
  pending_op: string | null;
  op_at: bigint | null;
  funding_source: string | null;
  funding_card_id: string | null;
  passback_params: string | null;
  awaiting_buyer_id: string | null;
}

interface RefundRow extends SqlRow {
  trade_no: string;
  out_request_no: string;
  refund_minor: bigint;
  status: string;
  reason: string;
  refunded_total_minor: bigint;
  gmt_refund: bigint | null;
  created_at: bigint;
  payout_card_id: string | null;
}

interface DisputeRow extends SqlRow {
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

interface FundingRow extends SqlRow {
  trade_no: string;
  buyer_user_id: string;
  request_id: string;
  card_id: string;
  amount_minor: bigint;
  status: string;
  created_at: bigint;
}

interface NotificationRow extends SqlRow {
  notify_id: string;
  trade_no: string;
  notify_url: string;
  /** The neutral event (EventJson); null on a row queued before events (then wire_fields is set). */
  event: string | null;
  wire_fields: string | null;
  status: string;
  attempts: bigint;
  next_at: bigint;
  last_error: string;
}

// ---- the typed records they map to ----

/** started: asked the bank; pending: its answer is unknown; paid: the trade was paid with it;
 *  in_wallet: the money arrived but the trade could no longer be paid, so it stays with the buyer;
 *  failed: the bank declined, nothing moved. */
export type FundingStatus = 'started' | 'pending' | 'paid' | 'in_wallet' | 'failed';

/** A card payment of a trade, under the buyer's request id. */
export interface FundingRecord {
  readonly tradeNo: string;
  readonly buyerUserId: string;
  readonly requestId: string;
  readonly cardId: string;
  readonly amountMinor: bigint;
  readonly status: FundingStatus;
}

/** A done refund still owed to the card it was paid from. */
export interface PayoutDue {
  readonly tradeNo: string;
  readonly outRequestNo: string;
  readonly refundMinor: bigint;
  readonly payoutCardId: string;
}

/** The trade as it is created: what the merchant asked and what the platform fixed. */
export type NewTrade = Pick<
  TradeRecord,
  | 'tradeNo'
  | 'merchantId'
  | 'outTradeNo'
  | 'subject'
  | 'body'
  | 'totalMinor'
  | 'productCode'
  | 'feeBps'
  | 'settlementAccountId'
  | 'notifyUrl'
  | 'appId'
  | 'timeoutAtMs'
  | 'createdAtMs'
  | 'passbackParams'
>;

/** Who pays a trade, written by the pay step's claim and cleared if the ledger refuses. */
export interface Payer {
  readonly buyerUserId: string;
  readonly buyerLogonId: string;
  readonly payRequestId: string;
  readonly fundingSource: FundingSource;
  readonly fundingCardId?: string;
}

/** The trades each timer sweep moves: a fixed condition each, the time given as its one parameter. */
export type TimerSweep = 'stale_step' | 'pay_timeout' | 'confirm_timeout' | 'finish' | 'unshipped';

/** Unshipped escrow trades, except those whose dispute waits for the operator (who decides them). */
const UNSHIPPED = "status = 'WAIT_SELLER_SEND_GOODS' AND trade_no NOT IN (SELECT trade_no FROM trade_disputes WHERE status IN ('open', 'answered'))";

const SWEEPS: Record<TimerSweep, string> = {
  stale_step: 'op_at IS NOT NULL AND op_at <= ?',
  pay_timeout: "status = 'WAIT_BUYER_PAY' AND timeout_at <= ?",
  confirm_timeout: "status = 'WAIT_BUYER_CONFIRM_GOODS' AND confirm_due_at <= ?",
  finish: "status = 'TRADE_SUCCESS' AND finish_due_at <= ?",
  unshipped: `${UNSHIPPED} AND paid_at <= ?`,
};

const big = (ms: number | undefined): bigint | null => (ms === undefined ? null : BigInt(ms));
const ms = (v: bigint | null): number | undefined => (v === null ? undefined : Number(v));
const opt = (v: string | null): string | undefined => v ?? undefined;

function toRecord(r: TradeRow): TradeRecord {
  return {
    tradeNo: r.trade_no,
    merchantId: r.merchant_id,
    outTradeNo: r.out_trade_no,
    subject: r.subject,
    body: r.body,
    totalMinor: r.total_minor,
    productCode: r.product_code as ProductCode,
    status: r.status as TradeStatus,
    feeBps: r.fee_bps,
    settlementAccountId: r.settlement_account_id,
    notifyUrl: opt(r.notify_url),
    appId: opt(r.app_id),
    timeoutAtMs: Number(r.timeout_at),
    createdAtMs: Number(r.created_at),
    buyerUserId: opt(r.buyer_user_id),
    buyerLogonId: opt(r.buyer_logon_id),
    payRequestId: opt(r.pay_request_id),
    paidAtMs: ms(r.paid_at),
    closedAtMs: ms(r.closed_at),
    shippedAtMs: ms(r.shipped_at),
    logisticsType: opt(r.logistics_type) as LogisticsType | undefined,
    waybillNo: opt(r.waybill_no),
    confirmDueAtMs: ms(r.confirm_due_at),
    confirmLeftMs: ms(r.confirm_left_ms),
    extended: r.extended === 1n,
    settledAtMs: ms(r.settled_at),
    finishDueAtMs: ms(r.finish_due_at),
    heldMinor: r.held_minor,
    settledMinor: r.settled_minor,
    settledAmountMinor: r.settled_amount_minor,
    feeMinor: r.fee_minor,
    refundedMinor: r.refunded_minor,
    holdId: opt(r.hold_id),
    pendingOp: opt(r.pending_op),
    opAtMs: ms(r.op_at),
    fundingSource: opt(r.funding_source) as FundingSource | undefined,
    fundingCardId: opt(r.funding_card_id),
    passbackParams: opt(r.passback_params),
    awaitingBuyerId: opt(r.awaiting_buyer_id),
  };
}

function toRefundRecord(r: RefundRow): RefundRecord {
  return {
    tradeNo: r.trade_no,
    outRequestNo: r.out_request_no,
    refundMinor: r.refund_minor,
    status: r.status as RefundRecord['status'],
    reason: r.reason,
    refundedTotalMinor: r.refunded_total_minor,
    gmtRefundMs: ms(r.gmt_refund),
    createdAtMs: Number(r.created_at),
    payoutCardId: opt(r.payout_card_id),
  };
}

function toDispute(r: DisputeRow): Dispute {
  return {
    tradeNo: r.trade_no,
    buyerUserId: r.buyer_user_id,
    merchantId: r.merchant_id,
    reason: r.reason,
    answer: opt(r.answer),
    status: r.status as Dispute['status'],
    operatorNote: opt(r.operator_note),
    createdAtMs: Number(r.created_at),
    decidedAtMs: ms(r.decided_at),
  };
}

function toFunding(r: FundingRow): FundingRecord {
  return {
    tradeNo: r.trade_no,
    buyerUserId: r.buyer_user_id,
    requestId: r.request_id,
    cardId: r.card_id,
    amountMinor: r.amount_minor,
    status: r.status as FundingStatus,
  };
}

function toNotification(row: NotificationRow): NotificationRecord {
  return {
    notifyId: row.notify_id,
    tradeNo: row.trade_no,
    notifyUrl: row.notify_url,
    status: row.status as NotificationRecord['status'],
    attempts: Number(row.attempts),
    lastError: row.last_error,
    nextAtMs: Number(row.next_at),
    content: notificationContent(row),
  };
}

/** A notification event as its column holds it: JSON, with money as decimal strings of minor units. */
type EventJson = Omit<NotificationEvent, 'totalMinor' | 'paidMinor' | 'refundedMinor'> & {
  readonly totalMinor: string;
  readonly paidMinor?: string;
  readonly refundedMinor: string;
};

function eventJson(e: NotificationEvent): string {
  const json: EventJson = {
    ...e,
    totalMinor: e.totalMinor.toString(),
    paidMinor: e.paidMinor?.toString(),
    refundedMinor: e.refundedMinor.toString(),
  };
  return JSON.stringify(json);
}

function notificationContent(row: NotificationRow): NotificationContent {
  if (row.event === null) return { kind: 'worded', fields: JSON.parse(row.wire_fields ?? '{}') as Record<string, string> };
  const json = JSON.parse(row.event) as EventJson;
  const event: NotificationEvent = {
    ...json,
    totalMinor: BigInt(json.totalMinor),
    paidMinor: json.paidMinor === undefined ? undefined : BigInt(json.paidMinor),
    refundedMinor: BigInt(json.refundedMinor),
  };
  return { kind: 'event', event };
}

/** A trade's own statements. Reads default to the database; writes inside a step take its `tx`. */
export class TradeStore {
  constructor(readonly db: SqlDatabase) {}

  migrate(): Promise<void> {
    return this.db.migrate('trade', TRADE_MIGRATIONS);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  // ---- trades ----

  async trade(tradeNo: string, tx: SqlExecutor = this.db): Promise<TradeRecord | undefined> {
    const row = await tx.get<TradeRow>('SELECT * FROM trades WHERE trade_no = ?', [tradeNo]);
    return row && toRecord(row);
  }

  async byOutTradeNo(merchantId: string, outTradeNo: string): Promise<TradeRecord | undefined> {
    const row = await this.db.get<TradeRow>('SELECT * FROM trades WHERE merchant_id = ? AND out_trade_no = ?', [merchantId, outTradeNo]);
    return row && toRecord(row);
  }

  /** Creates the trade unpaid; a trade already under the merchant's number is left as it is. */
  async insert(t: NewTrade): Promise<void> {
    await this.db.run(
      `INSERT INTO trades (trade_no, merchant_id, out_trade_no, subject, body, total_minor, currency, product_code, status, fee_bps,
         settlement_account_id, notify_url, app_id, timeout_at, created_at, passback_params)
       VALUES (?, ?, ?, ?, ?, ?, 'CNY', ?, 'WAIT_BUYER_PAY', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, out_trade_no) DO NOTHING`,
      [
        t.tradeNo,
        t.merchantId,
        t.outTradeNo,
        t.subject,
        t.body,
        t.totalMinor,
        t.productCode,
        t.feeBps,
        t.settlementAccountId,
        t.notifyUrl ?? null,
        t.appId ?? null,
        BigInt(t.timeoutAtMs),
        BigInt(t.createdAtMs),
        t.passbackParams ?? null,
      ],
    );
  }

  /** An in-store payment waits for this buyer's PIN (once, while unpaid). */
  async awaitBuyer(tradeNo: string, buyerUserId: string): Promise<void> {
    await this.db.run("UPDATE trades SET awaiting_buyer_id = ? WHERE trade_no = ? AND status = 'WAIT_BUYER_PAY' AND awaiting_buyer_id IS NULL", [
      buyerUserId,
      tradeNo,
    ]);
  }

  /** An open dispute pauses the confirm timer, keeping what was left of it. */
  async pauseConfirmTimer(tx: SqlExecutor, tradeNo: string, nowMs: number): Promise<void> {
    await tx.run('UPDATE trades SET confirm_left_ms = confirm_due_at - ?, confirm_due_at = NULL WHERE trade_no = ? AND confirm_due_at IS NOT NULL', [
      BigInt(nowMs),
      tradeNo,
    ]);
  }

  /** How many of a buyer's or a seller's paid trades were refunded. */
  async returnHistory(party: { buyerUserId: string } | { merchantId: string }): Promise<{ paid: number; returned: number }> {
    const [column, id] = 'buyerUserId' in party ? ['buyer_user_id', party.buyerUserId] : ['merchant_id', party.merchantId];
    const row = await this.db.get<{ paid: bigint; returned: bigint | null }>(
      `SELECT COUNT(*) AS paid, SUM(CASE WHEN refunded_minor > 0 THEN 1 ELSE 0 END) AS returned FROM trades WHERE ${column} = ? AND paid_at IS NOT NULL`,
      [id],
    );
    return { paid: Number(row?.paid ?? 0n), returned: Number(row?.returned ?? 0n) };
  }

  /** A merchant's trades created, paid, settled or closed in [fromMs, toMs), oldest first. */
  async touchedBetween(merchantId: string, fromMs: number, toMs: number): Promise<TradeRecord[]> {
    const [from, to] = [BigInt(fromMs), BigInt(toMs)];
    const rows = await this.db.all<TradeRow>(
      `SELECT * FROM trades WHERE merchant_id = ? AND ((created_at >= ? AND created_at < ?) OR (paid_at >= ? AND paid_at < ?)
         OR (settled_at >= ? AND settled_at < ?) OR (closed_at >= ? AND closed_at < ?))
       ORDER BY created_at, trade_no`,
      [merchantId, from, to, from, to, from, to, from, to],
    );
    return rows.map(toRecord);
  }

  /** A buyer's paid trades, newest first, after a trade number; `limit` rows at most. */
  async paidBy(buyerUserId: string, limit: number, after?: string): Promise<TradeRecord[]> {
    const params: SqlParam[] = [buyerUserId];
    let where = 'buyer_user_id = ? AND paid_at IS NOT NULL';
    if (after) {
      where += ' AND trade_no < ?';
      params.push(after);
    }
    const rows = await this.db.all<TradeRow>(`SELECT * FROM trades WHERE ${where} ORDER BY trade_no DESC LIMIT ?`, [...params, limit]);
    return rows.map(toRecord);
  }

  /** A merchant's trades by the console's filter, newest first; `limit` rows at most. */
  async ofMerchant(
    merchantId: string,
    filter: { status?: TradeStatus; fromMs?: number; toMs?: number; outTradeNo?: string; after?: string },
    limit: number,
  ): Promise<TradeRecord[]> {
    const clauses = ['merchant_id = ?'];
    const params: SqlParam[] = [merchantId];
    const add = (clause: string, value: SqlParam | undefined) => {
      if (value === undefined) return;
      clauses.push(clause);
      params.push(value);
    };
    add('status = ?', filter.status);
    add('created_at >= ?', filter.fromMs === undefined ? undefined : BigInt(filter.fromMs));
    add('created_at < ?', filter.toMs === undefined ? undefined : BigInt(filter.toMs));
    add('out_trade_no = ?', filter.outTradeNo);
    add('trade_no < ?', filter.after);
    const rows = await this.db.all<TradeRow>(`SELECT * FROM trades WHERE ${clauses.join(' AND ')} ORDER BY trade_no DESC LIMIT ?`, [...params, limit]);
    return rows.map(toRecord);
  }

  /** The trade numbers a timer sweep would move at `atMs` (its cut-off), in order. */
  async due(sweep: TimerSweep, atMs: number, limit: number): Promise<string[]> {
    const rows = await this.db.all<{ trade_no: string }>(`SELECT trade_no FROM trades WHERE ${SWEEPS[sweep]} ORDER BY trade_no LIMIT ?`, [BigInt(atMs), limit]);
    return rows.map((r) => r.trade_no);
  }

  /** The earliest instant any sweep has a trade to move, given how long after payment an unshipped
   *  trade and after its claim a step wait; null when none. */
  async nextDue(unshippedAfterMs: number, staleAfterMs: number): Promise<number | null> {
    const row = await this.db.get<{ due: bigint | null }>(
      `SELECT min(due) AS due FROM (
         SELECT min(timeout_at) AS due FROM trades WHERE status = 'WAIT_BUYER_PAY'
         UNION ALL SELECT min(confirm_due_at) FROM trades WHERE status = 'WAIT_BUYER_CONFIRM_GOODS'
         UNION ALL SELECT min(finish_due_at) FROM trades WHERE status = 'TRADE_SUCCESS'
         UNION ALL SELECT min(paid_at) + ? FROM trades WHERE ${UNSHIPPED}
         UNION ALL SELECT min(op_at) + ? FROM trades WHERE op_at IS NOT NULL
       ) AS dues`,
      [BigInt(unshippedAfterMs), BigInt(staleAfterMs)],
    );
    return row?.due == null ? null : Number(row.due);
  }

  // ---- a trade's steps: claims (the step named in flight) and changes ----

  /** Claims the pay step for `payer`; false when the trade moved or has a step in flight. */
  async claimPay(tx: SqlExecutor, t: TradeRecord, op: string, atMs: number, payer: Payer): Promise<boolean> {
    const { changes } = await tx.run(
      `UPDATE trades SET buyer_user_id = ?, buyer_logon_id = ?, pay_request_id = ?, funding_source = ?, funding_card_id = ?, pending_op = ?, op_at = ?
       WHERE trade_no = ? AND status = ? AND pending_op IS NULL`,
      [payer.buyerUserId, payer.buyerLogonId, payer.payRequestId, payer.fundingSource, payer.fundingCardId ?? null, op, BigInt(atMs), t.tradeNo, t.status],
    );
    return changes === 1;
  }

  /** Claims the settle step; false when the trade moved or has a step in flight. */
  async claimSettle(tx: SqlExecutor, t: TradeRecord, op: string, atMs: number): Promise<boolean> {
    const { changes } = await tx.run('UPDATE trades SET pending_op = ?, op_at = ? WHERE trade_no = ? AND status = ? AND pending_op IS NULL', [
      op,
      BigInt(atMs),
      t.tradeNo,
      t.status,
    ]);
    return changes === 1;
  }

  /** Claims a refund step, counting it on the trade at once (so refunds never add up past the total). */
  async claimRefund(tx: SqlExecutor, t: TradeRecord, op: string, atMs: number, refundedMinor: bigint): Promise<boolean> {
    const { changes } = await tx.run(
      'UPDATE trades SET refunded_minor = ?, pending_op = ?, op_at = ? WHERE trade_no = ? AND status = ? AND pending_op IS NULL',
      [refundedMinor, op, BigInt(atMs), t.tradeNo, t.status],
    );
    return changes === 1;
  }

  /** Whether the trade's refunds still fit its total (checked after a refund's claim). */
  async refundsFit(tx: SqlExecutor, tradeNo: string): Promise<boolean> {
    const check = await tx.get<{ ok: bigint }>('SELECT COUNT(*) AS ok FROM trades WHERE trade_no = ? AND refunded_minor <= total_minor', [tradeNo]);
    return (check?.ok ?? 0n) === 1n;
  }

  /**
   * Applies `change` to the trade as `from` was read, moving it to `to` and ending the step `op`
   * (none: the trade must have no step in flight). False when the trade moved meanwhile.
   */
  async apply(tx: SqlExecutor, from: TradeRecord, to: TradeStatus, op: string | undefined, change: TradeChange): Promise<boolean> {
    const [set, values] = changeColumns(change);
    const where = op === undefined ? 'pending_op IS NULL' : 'pending_op = ?';
    const params: SqlParam[] = [...values, to, from.tradeNo, from.status, ...(op === undefined ? [] : [op])];
    const sql = `UPDATE trades SET ${set}status = ?, pending_op = NULL, op_at = NULL WHERE trade_no = ? AND status = ? AND ${where}`;
    const { changes } = await tx.run(sql, params);
    return changes === 1;
  }

  // ---- refunds ----

  async refund(tradeNo: string, outRequestNo: string): Promise<RefundRecord | undefined> {
    const row = await this.db.get<RefundRow>('SELECT * FROM trade_refunds WHERE trade_no = ? AND out_request_no = ?', [tradeNo, outRequestNo]);
    return row && toRefundRecord(row);
  }

  /** Records a claimed refund (owed back to `payoutCardId` if the trade was paid by card); false if recorded before. */
  async insertRefund(
    tx: SqlExecutor,
    t: TradeRecord,
    r: { outRequestNo: string; amountMinor: bigint; reason: string; atMs: number; payoutCardId?: string },
  ): Promise<boolean> {
    const { changes } = await tx.run(
      `INSERT INTO trade_refunds (trade_no, out_request_no, merchant_id, out_trade_no, refund_minor, status, reason, created_at, payout_card_id)
       VALUES (?, ?, ?, ?, ?, 'claimed', ?, ?, ?) ON CONFLICT (trade_no, out_request_no) DO NOTHING`,
      [t.tradeNo, r.outRequestNo, t.merchantId, t.outTradeNo, r.amountMinor, r.reason, BigInt(r.atMs), r.payoutCardId ?? null],
    );
    return changes === 1;
  }

  /** The ledger's answer to a claimed refund: done (at `atMs`) or failed, with the trade's refunded total. */
  async endRefund(tx: SqlExecutor, tradeNo: string, outRequestNo: string, status: 'done' | 'failed', refundedTotal: bigint, atMs: number): Promise<void> {
    await tx.run(
      "UPDATE trade_refunds SET status = ?, refunded_total_minor = ?, gmt_refund = ? WHERE trade_no = ? AND out_request_no = ? AND status = 'claimed'",
      [status, refundedTotal, status === 'done' ? BigInt(atMs) : null, tradeNo, outRequestNo],
    );
  }

  /** A merchant's refunds done in [fromMs, toMs), oldest first. */
  async refundsDoneBetween(merchantId: string, fromMs: number, toMs: number): Promise<RefundRecord[]> {
    const rows = await this.db.all<RefundRow>(
      "SELECT * FROM trade_refunds WHERE merchant_id = ? AND status = 'done' AND gmt_refund >= ? AND gmt_refund < ? ORDER BY gmt_refund",
      [merchantId, BigInt(fromMs), BigInt(toMs)],
    );
    return rows.map(toRefundRecord);
  }

  /** Every refund of a trade, done or not, oldest first. */
  async refundsOf(tradeNo: string): Promise<RefundRecord[]> {
    const rows = await this.db.all<RefundRow>('SELECT * FROM trade_refunds WHERE trade_no = ? ORDER BY created_at, out_request_no', [tradeNo]);
    return rows.map(toRefundRecord);
  }

  /** Refunds done in the ledger whose card payout has not been made yet. */
  async payoutsDue(limit: number): Promise<PayoutDue[]> {
    const rows = await this.db.all<RefundRow>(
      "SELECT * FROM trade_refunds WHERE status = 'done' AND payout_card_id IS NOT NULL AND payout_op_id IS NULL ORDER BY gmt_refund LIMIT ?",
      [limit],
    );
    return rows.map((r) => ({ tradeNo: r.trade_no, outRequestNo: r.out_request_no, refundMinor: r.refund_minor, payoutCardId: r.payout_card_id! }));
  }

  /** The card operation (or refusal) that paid a refund out, recorded once. */
  async payoutMade(tradeNo: string, outRequestNo: string, opId: string): Promise<void> {
    await this.db.run('UPDATE trade_refunds SET payout_op_id = ? WHERE trade_no = ? AND out_request_no = ? AND payout_op_id IS NULL', [
      opId,
      tradeNo,
      outRequestNo,
    ]);
  }

  // ---- disputes ----

  async dispute(tradeNo: string): Promise<Dispute | undefined> {
    const row = await this.db.get<DisputeRow>('SELECT * FROM trade_disputes WHERE trade_no = ?', [tradeNo]);
    return row && toDispute(row);
  }

  /** Opens the trade's dispute and pauses its confirm timer, in one transaction. */
  async openDispute(t: TradeRecord, buyerUserId: string, reason: string, nowMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run("INSERT INTO trade_disputes (trade_no, buyer_user_id, merchant_id, reason, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)", [
        t.tradeNo,
        buyerUserId,
        t.merchantId,
        reason,
        BigInt(nowMs),
      ]);
      await this.pauseConfirmTimer(tx, t.tradeNo, nowMs);
    });
  }

  async answerDispute(tradeNo: string, answer: string): Promise<void> {
    await this.db.run("UPDATE trade_disputes SET answer = ?, status = 'answered' WHERE trade_no = ? AND status IN ('open', 'answered')", [answer, tradeNo]);
  }

  async decideDispute(tradeNo: string, status: 'refunded' | 'released', decision: 'refund' | 'release', operatorNote: string, atMs: number): Promise<void> {
    await this.db.run('UPDATE trade_disputes SET status = ?, decision = ?, operator_note = ?, decided_at = ? WHERE trade_no = ?', [
      status,
      decision,
      operatorNote,
      BigInt(atMs),
      tradeNo,
    ]);
  }

  // ---- card fundings ----

  async funding(tradeNo: string, buyerUserId: string, requestId: string): Promise<FundingRecord | undefined> {
    const row = await this.db.get<FundingRow>('SELECT * FROM trade_card_fundings WHERE trade_no = ? AND buyer_user_id = ? AND request_id = ?', [
      tradeNo,
      buyerUserId,
      requestId,
    ]);
    return row && toFunding(row);
  }

  /** Records a funding as started, unless one is recorded under the request id. */
  async insertFunding(f: Omit<FundingRecord, 'status'>, atMs: number): Promise<void> {
    await this.db.run(
      `INSERT INTO trade_card_fundings (trade_no, buyer_user_id, request_id, card_id, amount_minor, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'started', ?) ON CONFLICT (trade_no, buyer_user_id, request_id) DO NOTHING`,
      [f.tradeNo, f.buyerUserId, f.requestId, f.cardId, f.amountMinor, BigInt(atMs)],
    );
  }

  /** Moves a funding on; a finished one (paid, in_wallet, failed) never changes again. */
  async markFunding(f: FundingRecord, status: FundingStatus): Promise<void> {
    await this.db.run(
      "UPDATE trade_card_fundings SET status = ? WHERE trade_no = ? AND buyer_user_id = ? AND request_id = ? AND status IN ('started', 'pending')",
      [status, f.tradeNo, f.buyerUserId, f.requestId],
    );
  }

  /** Fundings still waiting: pending ones, and started ones a crash left before the bank answered. */
  async fundingsDue(staleBeforeMs: number, limit: number): Promise<FundingRecord[]> {
    const rows = await this.db.all<FundingRow>(
      "SELECT * FROM trade_card_fundings WHERE status = 'pending' OR (status = 'started' AND created_at <= ?) ORDER BY created_at LIMIT ?",
      [BigInt(staleBeforeMs), limit],
    );
    return rows.map(toFunding);
  }

  // ---- paycodes ----

  /** Stores a new code; false if the code is taken. */
  async insertPaycode(authCode: string, userId: string, expiresAtMs: number): Promise<boolean> {
    const { changes } = await this.db.run('INSERT INTO trade_paycodes (auth_code, user_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (auth_code) DO NOTHING', [
      authCode,
      userId,
      BigInt(expiresAtMs),
    ]);
    return changes === 1;
  }

  /** The user a code live and unused at `nowMs` belongs to. */
  async paycodeOwner(authCode: string, nowMs: number): Promise<string | undefined> {
    const row = await this.db.get<{ user_id: string }>('SELECT user_id FROM trade_paycodes WHERE auth_code = ? AND used_at IS NULL AND expires_at > ?', [
      authCode,
      BigInt(nowMs),
    ]);
    return row?.user_id;
  }

  /** Uses a live code up; false when it is unknown, used or expired. */
  async usePaycode(tx: SqlExecutor, authCode: string, nowMs: number): Promise<boolean> {
    const now = BigInt(nowMs);
    const { changes } = await tx.run('UPDATE trade_paycodes SET used_at = ? WHERE auth_code = ? AND used_at IS NULL AND expires_at > ?', [now, authCode, now]);
    return changes === 1;
  }

  // ---- the notification outbox ----

  /** Queues the notification of an event inside the transaction of the change it reports, due at once. */
  async enqueueNotification(tx: SqlExecutor, notifyId: string, notifyUrl: string, event: NotificationEvent): Promise<void> {
    const at = BigInt(event.atMs);
    await tx.run(
      `INSERT INTO trade_notifications (notify_id, merchant_id, trade_no, notify_url, event, status, attempts, next_at, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
      [notifyId, event.merchantId, event.tradeNo, notifyUrl, eventJson(event), at, at],
    );
  }

  async notificationsDue(nowMs: number, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db.all<NotificationRow>("SELECT * FROM trade_notifications WHERE status = 'pending' AND next_at <= ? ORDER BY next_at LIMIT ?", [
      BigInt(nowMs),
      limit,
    ]);
    return rows.map(toNotification);
  }

  /** Takes a due notification for sending until `untilMs`; false when another sender took it. */
  async leaseNotification(n: NotificationRecord, untilMs: number): Promise<boolean> {
    const { changes } = await this.db.run("UPDATE trade_notifications SET next_at = ? WHERE notify_id = ? AND status = 'pending' AND next_at = ?", [
      BigInt(untilMs),
      n.notifyId,
      BigInt(n.nextAtMs),
    ]);
    return changes === 1;
  }

  async notificationDelivered(notifyId: string, attempts: number): Promise<void> {
    await this.db.run("UPDATE trade_notifications SET status = 'delivered', attempts = ?, last_error = '' WHERE notify_id = ?", [BigInt(attempts), notifyId]);
  }

  /** A failed send: pending again at `nextAtMs`, or failed for good. */
  async notificationNotDelivered(notifyId: string, attempts: number, status: 'pending' | 'failed', nextAtMs: number, error: string): Promise<void> {
    await this.db.run('UPDATE trade_notifications SET status = ?, attempts = ?, next_at = ?, last_error = ? WHERE notify_id = ?', [
      status,
      BigInt(attempts),
      BigInt(nextAtMs),
      error,
      notifyId,
    ]);
  }

  async nextNotificationDue(): Promise<number | null> {
    const row = await this.db.get<{ due: bigint | null }>("SELECT min(next_at) AS due FROM trade_notifications WHERE status = 'pending'");
    return row?.due == null ? null : Number(row.due);
  }

  async failedNotifications(merchantId: string, limit: number): Promise<NotificationRecord[]> {
    const rows = await this.db.all<NotificationRow>(
      "SELECT * FROM trade_notifications WHERE merchant_id = ? AND status = 'failed' ORDER BY created_at DESC LIMIT ?",
      [merchantId, limit],
    );
    return rows.map(toNotification);
  }

  /** Queues a merchant's undelivered notification again from `nowMs` with no sends counted; false if none changed. */
  async requeueNotification(merchantId: string, notifyId: string, nowMs: number): Promise<boolean> {
    const { changes } = await this.db.run(
      "UPDATE trade_notifications SET status = 'pending', attempts = 0, next_at = ? WHERE notify_id = ? AND merchant_id = ? AND status <> 'delivered'",
      [BigInt(nowMs), notifyId, merchantId],
    );
    return changes === 1;
  }

  async notification(merchantId: string, notifyId: string): Promise<NotificationRecord | undefined> {
    const row = await this.db.get<NotificationRow>('SELECT * FROM trade_notifications WHERE notify_id = ? AND merchant_id = ?', [notifyId, merchantId]);
    return row && toNotification(row);
  }

  async notificationsOf(tradeNo: string): Promise<NotificationRecord[]> {
    const rows = await this.db.all<NotificationRow>('SELECT * FROM trade_notifications WHERE trade_no = ? ORDER BY created_at, notify_id', [tradeNo]);
    return rows.map(toNotification);
  }
}

/** The columns each kind of change writes (before status and the step's end), in one explicit list each. */
function changeColumns(c: TradeChange): [string, SqlParam[]] {
  switch (c.kind) {
    case 'close':
      return ['closed_at = ?, ', [BigInt(c.atMs)]];
    case 'finish':
    case 'settle_refused':
      return ['', []];
    case 'ship':
      return [
        'shipped_at = ?, logistics_type = ?, waybill_no = ?, confirm_due_at = ?, confirm_left_ms = ?, ',
        [BigInt(c.atMs), c.logisticsType, c.waybillNo ?? null, big(c.confirmDueAtMs), big(c.confirmLeftMs)],
      ];
    case 'extend':
      return c.confirmDueAtMs === undefined
        ? ['extended = 1, confirm_left_ms = ?, ', [big(c.confirmLeftMs)]]
        : ['extended = 1, confirm_due_at = ?, ', [BigInt(c.confirmDueAtMs)]];
    case 'paid_instant':
      return [
        'paid_at = ?, settled_at = ?, settled_minor = ?, settled_amount_minor = ?, fee_minor = ?, finish_due_at = ?, ',
        [BigInt(c.atMs), BigInt(c.atMs), c.settledMinor, c.settledMinor, c.feeMinor, BigInt(c.finishDueAtMs)],
      ];
    case 'paid_escrow':
      return ['paid_at = ?, held_minor = ?, hold_id = ?, ', [BigInt(c.atMs), c.heldMinor, c.holdId]];
    case 'pay_refused':
      return ['buyer_user_id = NULL, buyer_logon_id = NULL, pay_request_id = NULL, funding_source = NULL, funding_card_id = NULL, ', []];
    case 'settled':
      return [
        'settled_minor = ?, settled_amount_minor = ?, held_minor = 0, fee_minor = ?, settled_at = ?, finish_due_at = ?, confirm_due_at = NULL, confirm_left_ms = NULL, ',
        [c.settledMinor, c.settledMinor, c.feeMinor, BigInt(c.atMs), BigInt(c.finishDueAtMs)],
      ];
    case 'refunded_held':
      return c.closedAtMs === undefined
        ? ['held_minor = ?, hold_id = ?, ', [c.heldMinor, c.holdId]]
        : ['held_minor = ?, hold_id = ?, closed_at = ?, confirm_due_at = NULL, confirm_left_ms = NULL, ', [c.heldMinor, c.holdId, BigInt(c.closedAtMs)]];
    case 'refunded_settled':
      return c.closedAtMs === undefined
        ? ['settled_minor = ?, fee_minor = ?, ', [c.settledMinor, c.feeMinor]]
        : ['settled_minor = ?, fee_minor = ?, closed_at = ?, finish_due_at = NULL, ', [c.settledMinor, c.feeMinor, BigInt(c.closedAtMs)]];
    case 'refund_refused':
      return ['refunded_minor = ?, ', [c.refundedMinor]];
  }
}

// The tables: trades (state, money split, timers, the one step in flight), refunds, the
// notification outbox, disputes and one-time paycodes. Times are epoch milliseconds.
const TABLES = [
  `CREATE TABLE trades (
     trade_no TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, out_trade_no TEXT NOT NULL, subject TEXT NOT NULL,
     body TEXT NOT NULL DEFAULT '', total_minor BIGINT NOT NULL, currency TEXT NOT NULL, product_code TEXT NOT NULL,
     status TEXT NOT NULL, fee_bps BIGINT NOT NULL, settlement_account_id TEXT NOT NULL, notify_url TEXT, app_id TEXT,
     timeout_at BIGINT NOT NULL, created_at BIGINT NOT NULL,
     buyer_user_id TEXT, buyer_logon_id TEXT, pay_request_id TEXT, paid_at BIGINT, closed_at BIGINT,
     shipped_at BIGINT, logistics_type TEXT, waybill_no TEXT, confirm_due_at BIGINT, confirm_left_ms BIGINT,
     extended BIGINT NOT NULL DEFAULT 0, settled_at BIGINT, finish_due_at BIGINT,
     held_minor BIGINT NOT NULL DEFAULT 0, settled_minor BIGINT NOT NULL DEFAULT 0, settled_amount_minor BIGINT NOT NULL DEFAULT 0, fee_minor BIGINT NOT NULL DEFAULT 0,
     refunded_minor BIGINT NOT NULL DEFAULT 0, hold_id TEXT, pending_op TEXT, op_at BIGINT,
     UNIQUE (merchant_id, out_trade_no))`,
  'CREATE INDEX trades_pay_timeout ON trades (status, timeout_at)',
  'CREATE INDEX trades_confirm_due ON trades (status, confirm_due_at)',
  'CREATE INDEX trades_finish_due ON trades (status, finish_due_at)',
  'CREATE INDEX trades_buyer ON trades (buyer_user_id, trade_no)',
  'CREATE INDEX trades_merchant_created ON trades (merchant_id, created_at)',
  'CREATE INDEX trades_pending_op ON trades (op_at)',
  `CREATE TABLE trade_refunds (
     trade_no TEXT NOT NULL, out_request_no TEXT NOT NULL, merchant_id TEXT NOT NULL, out_trade_no TEXT NOT NULL,
     refund_minor BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
     refunded_total_minor BIGINT NOT NULL DEFAULT 0, gmt_refund BIGINT, created_at BIGINT NOT NULL,
     PRIMARY KEY (trade_no, out_request_no))`,
  'CREATE INDEX trade_refunds_merchant ON trade_refunds (merchant_id, gmt_refund)',
  `CREATE TABLE trade_notifications (
     notify_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, trade_no TEXT NOT NULL, notify_url TEXT NOT NULL,
     fields TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,
     last_error TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL)`,
  'CREATE INDEX trade_notifications_due ON trade_notifications (status, next_at)',
  'CREATE INDEX trade_notifications_merchant ON trade_notifications (merchant_id, status)',
  `CREATE TABLE trade_disputes (
     trade_no TEXT PRIMARY KEY, buyer_user_id TEXT NOT NULL, merchant_id TEXT NOT NULL, reason TEXT NOT NULL,
     answer TEXT, status TEXT NOT NULL, decision TEXT, operator_note TEXT, created_at BIGINT NOT NULL, decided_at BIGINT)`,
  `CREATE TABLE trade_paycodes (
     auth_code TEXT PRIMARY KEY, user_id TEXT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)`,
];

// Version 2: where a trade's money came from (the wallet or a bound card), card fundings waiting
// for the bank's answer, and refunds owed back to the card they were paid from.
const FUNDING = [
  'ALTER TABLE trades ADD COLUMN funding_source TEXT',
  'ALTER TABLE trades ADD COLUMN funding_card_id TEXT',
  'ALTER TABLE trade_refunds ADD COLUMN payout_card_id TEXT',
  'ALTER TABLE trade_refunds ADD COLUMN payout_op_id TEXT',
  `CREATE TABLE trade_card_fundings (
     trade_no TEXT NOT NULL, buyer_user_id TEXT NOT NULL, request_id TEXT NOT NULL, card_id TEXT NOT NULL,
     amount_minor BIGINT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (trade_no, buyer_user_id, request_id))`,
  'CREATE INDEX trade_card_fundings_status ON trade_card_fundings (status, created_at)',
].join(';\n');

// Version 3: the merchant's passback_params, given back untouched in every notification.
const PASSBACK = 'ALTER TABLE trades ADD COLUMN passback_params TEXT';

// Version 4: an in-store payment above the PIN threshold waits for this buyer to confirm it.
const AWAITING = 'ALTER TABLE trades ADD COLUMN awaiting_buyer_id TEXT';

// Version 5: the outbox holds neutral events, worded by the merchant module when sent. The table
// is rebuilt (SQLite cannot drop a NOT NULL); rows queued before keep their wire fields as they
// were worded, in wire_fields, and are sent as they are. Each row holds exactly one of the two.
const NEUTRAL_EVENTS = {
  name: '0005_notifications_hold_neutral_events',
  sql: [
    `CREATE TABLE trade_notifications_v5 (
       notify_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, trade_no TEXT NOT NULL, notify_url TEXT NOT NULL,
       event TEXT, wire_fields TEXT, status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_at BIGINT NOT NULL,
       last_error TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL,
       CHECK ((event IS NULL) <> (wire_fields IS NULL)))`,
    `INSERT INTO trade_notifications_v5 (notify_id, merchant_id, trade_no, notify_url, wire_fields, status, attempts, next_at, last_error, created_at)
       SELECT notify_id, merchant_id, trade_no, notify_url, fields, status, attempts, next_at, last_error, created_at FROM trade_notifications`,
    'DROP TABLE trade_notifications',
    'ALTER TABLE trade_notifications_v5 RENAME TO trade_notifications',
    'CREATE INDEX trade_notifications_due ON trade_notifications (status, next_at)',
    'CREATE INDEX trade_notifications_merchant ON trade_notifications (merchant_id, status)',
  ].join(';\n'),
};

const VERSIONS = [TABLES.join(';\n'), FUNDING, PASSBACK, AWAITING, NEUTRAL_EVENTS];
/** Exported for the upgrade test, which builds a store as an earlier version left it. */
export const TRADE_MIGRATIONS = { sqlite: VERSIONS, postgres: VERSIONS };
