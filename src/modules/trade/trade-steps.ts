// The steps that change a trade, in two halves each: a compare-and-set on the trade row (claim),
// then the ledger chain with ids derived from the trade, then one SQL transaction that records the
// outcome with its notification. The claim names the step in `pending_op`, so a step cut short by
// a crash is found by the timers and run again; the ledger ids make the rerun move money once.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { TransferEvent, TransferResult } from '../../ledger/index.ts';
import type { SqlDatabase, SqlExecutor, SqlParam } from '../../store/sql.ts';
import { walletAccountId } from '../books/chart.ts';
import type { SpendingLimits, SpendKey } from '../wallet/spending-limits.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { TradeError } from './trade-errors.ts';
import {
  escrowHoldEvents,
  escrowHoldId,
  feeBackMinor,
  feeMinor,
  instantPayEvents,
  refundHeldEvents,
  refundSettledEvents,
  settleEvents,
  type TradeAccounts,
} from './trade-ledger.ts';
import { enqueueNotification, notificationFields } from './trade-notifications.ts';
import { assertTransition, isHeld, isPaid, type TradeEvent, type TradeStatus } from './trade-states.ts';
import { refundWindowEndMs } from './trade-timeouts.ts';
import { type TradeRow, toTrade } from './trade-types.ts';

export type Op = { kind: 'pay' } | { kind: 'settle' } | { kind: 'refund'; outRequestNo: string; amountMinor: string };

export interface Change {
  event?: TradeEvent;
  set?: Record<string, SqlParam>;
  /** The claimed step this change completes; without it the row must have none in flight. */
  op?: string;
  /** Notify although the status stays (a partial refund). */
  notify?: boolean;
  refundAtMs?: number;
  extra?: (tx: SqlExecutor) => Promise<void>;
}

const DONE: ReadonlySet<TransferResult> = new Set(['ok', 'exists']);
const NO_FUNDS: ReadonlySet<TransferResult> = new Set(['exceeds_credits', 'id_already_failed']);

interface Plan {
  events: TransferEvent[];
  success: Change;
  failure: Change;
  /** The refusal to throw when the ledger said no for lack of funds. */
  noFunds: 'BUYER_BALANCE_NOT_ENOUGH' | 'SELLER_BALANCE_NOT_ENOUGH' | 'SYSTEM_ERROR';
}

export class TradeSteps {
  constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly revenueAccountId: string,
    private readonly limits: SpendingLimits,
  ) {}

  load(tradeNo: string, tx: SqlExecutor = this.db): Promise<TradeRow | undefined> {
    return tx.get<TradeRow>('SELECT * FROM trades WHERE trade_no = ?', [tradeNo]);
  }

  /** Marks `op` in flight on a row in `status` with none in flight; false when another got there first. */
  async claim(row: TradeRow, op: Op, set: Record<string, SqlParam> = {}, tx: SqlExecutor = this.db): Promise<boolean> {
    const all: Record<string, SqlParam> = { ...set, pending_op: JSON.stringify(op), op_at: BigInt(this.clock.now()) };
    const cols = Object.keys(all);
    const { changes } = await tx.run(`UPDATE trades SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE trade_no = ? AND status = ? AND pending_op IS NULL`, [
      ...Object.values(all),
      row.trade_no,
      row.status,
    ]);
    return changes === 1;
  }

  /** Applies a change with a compare-and-set on status and step; undefined when the row moved meanwhile. */
  async commit(row: TradeRow, change: Change): Promise<TradeRow | undefined> {
    const from = row.status as TradeStatus;
    const to = change.event ? assertTransition(from, change.event) : from;
    const set: Record<string, SqlParam> = { ...change.set, status: to, pending_op: null, op_at: null };
    const cols = Object.keys(set);
    const stepCheck = change.op === undefined ? 'pending_op IS NULL' : 'pending_op = ?';
    const params = [...Object.values(set), row.trade_no, from, ...(change.op === undefined ? [] : [change.op])];
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const { changes } = await tx.run(`UPDATE trades SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE trade_no = ? AND status = ? AND ${stepCheck}`, params);
      if (changes === 0) return undefined;
      if (change.extra) await change.extra(tx);
      const after = (await this.load(row.trade_no, tx))!;
      assertMoneySplit(after);
      if ((to !== from || change.notify) && after.notify_url) {
        const fields = notificationFields(toTrade(after), this.ids.next('ntf'), now, after.app_id ?? undefined, change.refundAtMs);
        await enqueueNotification(tx, after.merchant_id, after.notify_url, fields, now);
      }
      return after;
    });
  }

  /** Runs the claimed step on the ledger and records how it ended; throws the refusal if it was refused. */
  async execute(row: TradeRow): Promise<TradeRow> {
    const opText = row.pending_op;
    if (opText === null) throw new Error(`trade ${row.trade_no} has no step in flight`);
    const plan = this.plan(row, JSON.parse(opText) as Op);
    const outcomes = await this.engine.submitTransfers(plan.events);
    const refused = outcomes.map((o) => o.result).find((r) => !DONE.has(r) && r !== 'linked_event_failed');
    const after = await this.commit(row, { ...(refused === undefined ? plan.success : plan.failure), op: opText });
    if (refused !== undefined) {
      if (NO_FUNDS.has(refused) && plan.noFunds !== 'SYSTEM_ERROR') throw new TradeError(plan.noFunds, 'the balance is not enough for this payment');
      throw new TradeError('SYSTEM_ERROR', `the ledger refused the step (${refused})`, { ledger_result: refused });
    }
    return after ?? (await this.load(row.trade_no))!;
  }

  /** Finishes a step a crash (or another process) left in flight; its refusal is already recorded. */
  async resume(row: TradeRow): Promise<TradeRow> {
    try {
      return await this.execute(row);
    } catch (error) {
      if (!(error instanceof TradeError)) throw error;
      return (await this.load(row.trade_no))!;
    }
  }

  private accounts(row: TradeRow): TradeAccounts {
    if (!row.buyer_user_id) throw new Error(`trade ${row.trade_no} has no buyer`);
    return { ledger: PLATFORM_CURRENCY.ledger, buyer: walletAccountId(row.buyer_user_id), merchant: row.settlement_account_id, revenue: this.revenueAccountId };
  }

  private plan(row: TradeRow, op: Op): Plan {
    if (op.kind === 'pay') return this.planPay(row);
    if (op.kind === 'settle') return this.planSettle(row);
    return this.planRefund(row, op.outRequestNo, BigInt(op.amountMinor));
  }

  private planPay(row: TradeRow): Plan {
    const now = BigInt(this.clock.now());
    const a = this.accounts(row);
    const byCard = row.funding_source === 'card';
    // A card attempt has ledger ids of its own: a refused wallet attempt with the same request id stays refused.
    const attempt = `${row.buyer_user_id}:${byCard ? 'card:' : ''}${row.pay_request_id}`;
    const total = BigInt(row.total_minor);
    const failure: Change = {
      set: { buyer_user_id: null, buyer_logon_id: null, pay_request_id: null, funding_source: null, funding_card_id: null },
      // A refused balance payment gives its amount back to the limits (in the same transaction); card money never counted.
      extra: byCard ? undefined : async (tx) => void (await this.limits.release(tx, tradeSpendKey(row.buyer_user_id!, row.trade_no, row.pay_request_id!))),
    };
    if (row.product_code === 'FAST_INSTANT_TRADE_PAY') {
      const fee = feeMinor(total, BigInt(row.fee_bps));
      const set = { paid_at: now, settled_at: now, settled_minor: total, settled_amount_minor: total, fee_minor: fee, finish_due_at: BigInt(refundWindowEndMs(Number(now))) };
      return { events: instantPayEvents(row.trade_no, attempt, a, total, fee), success: { event: 'pay_instant', set }, failure, noFunds: 'BUYER_BALANCE_NOT_ENOUGH' };
    }
    const holdId = escrowHoldId(row.trade_no, attempt);
    const set = { paid_at: now, held_minor: total, hold_id: holdId };
    return { events: escrowHoldEvents(holdId, row.trade_no, a, total), success: { event: 'pay_escrow', set }, failure, noFunds: 'BUYER_BALANCE_NOT_ENOUGH' };
  }

  private planSettle(row: TradeRow): Plan {
    const now = this.clock.now();
    const held = BigInt(row.held_minor);
    const fee = feeMinor(held, BigInt(row.fee_bps));
    const finishDue = Math.max(refundWindowEndMs(Number(row.paid_at)), now);
    const set = { settled_minor: held, settled_amount_minor: held, held_minor: 0n, fee_minor: fee, settled_at: BigInt(now), finish_due_at: BigInt(finishDue), confirm_due_at: null, confirm_left_ms: null };
    return { events: settleEvents(row.trade_no, row.hold_id!, this.accounts(row), fee), success: { event: 'settle', set }, failure: {}, noFunds: 'SYSTEM_ERROR' };
  }

  private planRefund(row: TradeRow, outRequestNo: string, amount: bigint): Plan {
    const now = this.clock.now();
    const a = this.accounts(row);
    const refundedTotal = BigInt(row.refunded_minor);
    const success: Change = { refundAtMs: now, notify: true, extra: (tx) => markRefund(tx, row.trade_no, outRequestNo, 'done', refundedTotal, now) };
    const failure: Change = {
      set: { refunded_minor: refundedTotal - amount },
      extra: (tx) => markRefund(tx, row.trade_no, outRequestNo, 'failed', refundedTotal - amount, now),
    };
    if (isHeld(row.status as TradeStatus)) {
      const remaining = BigInt(row.held_minor) - amount;
      const newHold = remaining > 0n ? escrowHoldId(row.trade_no, `refund:${outRequestNo}`) : row.hold_id;
      success.event = remaining > 0n ? 'refund_partial' : 'refund_full';
      success.set = { held_minor: remaining, hold_id: newHold, ...(remaining > 0n ? {} : { closed_at: BigInt(now), confirm_due_at: null, confirm_left_ms: null }) };
      return { events: refundHeldEvents(row.trade_no, row.hold_id!, newHold!, a, remaining), success, failure, noFunds: 'SYSTEM_ERROR' };
    }
    const settled = BigInt(row.settled_minor);
    const back = feeBackMinor(settled, BigInt(row.fee_minor), amount, BigInt(row.fee_bps));
    const remaining = settled - amount;
    success.event = remaining > 0n ? 'refund_partial' : 'refund_full';
    success.set = { settled_minor: remaining, fee_minor: BigInt(row.fee_minor) - back, ...(remaining > 0n ? {} : { closed_at: BigInt(now), finish_due_at: null }) };
    return { events: refundSettledEvents(row.trade_no, outRequestNo, a, amount, back), success, failure, noFunds: 'SELLER_BALANCE_NOT_ENOUGH' };
  }
}

/** A trade payment's claim on the buyer's balance limits: one per trade and buyer's request id. */
export function tradeSpendKey(buyerUserId: string, tradeNo: string, requestId: string): SpendKey {
  return { userId: buyerUserId, kind: 'trade', requestId: `${tradeNo}:${requestId}` };
}

async function markRefund(tx: SqlExecutor, tradeNo: string, outRequestNo: string, status: 'done' | 'failed', refundedTotal: bigint, nowMs: number): Promise<void> {
  await tx.run("UPDATE trade_refunds SET status = ?, refunded_total_minor = ?, gmt_refund = ? WHERE trade_no = ? AND out_request_no = ? AND status = 'claimed'", [
    status,
    refundedTotal,
    status === 'done' ? BigInt(nowMs) : null,
    tradeNo,
    outRequestNo,
  ]);
}

/** Every paid fen is in exactly one place: refunded, held in escrow, or settled to the seller. */
function assertMoneySplit(row: TradeRow): void {
  if (row.paid_at === null) return;
  const parts = BigInt(row.refunded_minor) + BigInt(row.held_minor) + BigInt(row.settled_minor);
  const status = row.status as TradeStatus;
  const open = row.pending_op !== null; // a claimed refund is counted before its money moves
  if (!open && parts !== BigInt(row.total_minor) && (isPaid(status) || status === 'TRADE_CLOSED')) {
    throw new Error(`trade ${row.trade_no}: refunded + held + settled = ${parts}, paid ${row.total_minor}`);
  }
}
