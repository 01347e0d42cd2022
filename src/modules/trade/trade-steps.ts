// The steps that change a trade, each one step on the books: a compare-and-set on the trade row
// (claim, naming the step in `pending_op`), the ledger chain with ids derived from the trade
// (planned from the claimed row), and the record of the outcome with its notification, all in
// one commit with the ledger batch. `pending_op` is left set only by rows of earlier versions,
// which claimed and recorded apart; `resume` finishes those, and the ledger ids move money once.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { TransferEvent } from '../../ledger/index.ts';
import type { SqlDatabase, SqlExecutor, SqlParam } from '../../store/sql.ts';
import { walletAccountId } from '../books/chart.ts';
import type { SpendingLimits, SpendKey } from '../wallet/spending-limits.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step, type StepRunner } from '../books/step-runner.ts';
import { busy } from './trade-core.ts';
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
import { enqueueNotification } from './trade-notifications.ts';
import { assertTransition, isHeld, isPaid, type TradeEvent, type TradeStatus } from './trade-states.ts';
import { refundWindowEndMs } from './trade-timeouts.ts';
import { type NotificationWire, type TradeRow, toTrade } from './trade-types.ts';

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

/** The most events a trade step plans (an instant payment with its fee, a refund with its fee back). */
const MAX_TRADE_EVENTS = 4;

/** How a step ended: the trade after it, and the refusal to throw when the ledger said no. */
interface Ended {
  readonly after: TradeRow;
  readonly refusal: TradeError | null;
}

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
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly revenueAccountId: string,
    private readonly limits: SpendingLimits,
    private readonly wire: NotificationWire,
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
    const now = this.clock.now();
    return this.db.transaction((tx) => this.commitIn(tx, row, change, now));
  }

  /** `commit` inside the caller's transaction. */
  private async commitIn(tx: SqlExecutor, row: TradeRow, change: Change, now: number): Promise<TradeRow | undefined> {
    const from = row.status as TradeStatus;
    const to = change.event ? assertTransition(from, change.event) : from;
    const set: Record<string, SqlParam> = { ...change.set, status: to, pending_op: null, op_at: null };
    const cols = Object.keys(set);
    const stepCheck = change.op === undefined ? 'pending_op IS NULL' : 'pending_op = ?';
    const params = [...Object.values(set), row.trade_no, from, ...(change.op === undefined ? [] : [change.op])];
    const { changes } = await tx.run(`UPDATE trades SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE trade_no = ? AND status = ? AND ${stepCheck}`, params);
    if (changes === 0) return undefined;
    if (change.extra) await change.extra(tx);
    const after = (await this.load(row.trade_no, tx))!;
    assertMoneySplit(after);
    if ((to !== from || change.notify) && after.notify_url) {
      const fields = this.wire.fields(toTrade(after), this.ids.next('ntf'), now, after.app_id ?? undefined, change.refundAtMs);
      await enqueueNotification(tx, after.merchant_id, after.notify_url, fields, now);
    }
    return after;
  }

  /**
   * Claims `op` on the trade (with `alsoClaim` in the same transaction: false there means a
   * replay, and nothing is claimed), moves its money and records how it ended, in one commit.
   * Returns the trade after, or null for a replay; throws the ledger's refusal once it is recorded.
   */
  async run(
    row: TradeRow,
    op: Op,
    set: Record<string, SqlParam> = {},
    alsoClaim?: (tx: SqlExecutor) => Promise<boolean>,
    checkClaimed?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<TradeRow | null> {
    return this.finish(
      await this.runner.run(
        this.step(`trade.${op.kind}`, async (tx) => {
          if (alsoClaim && !(await alsoClaim(tx))) return null;
          if (!(await this.claim(row, op, set, tx))) throw busy();
          await checkClaimed?.(tx);
          return (await this.load(row.trade_no, tx))!;
        }),
      ),
    );
  }

  /** Finishes a step an earlier version left in flight; its refusal, if any, is recorded. */
  async resume(row: TradeRow): Promise<TradeRow> {
    const ended = await this.runner.run(
      this.step('trade.resume', async (tx) => {
        const current = await this.load(row.trade_no, tx);
        return current?.pending_op ? current : null;
      }),
    );
    return ended?.after ?? (await this.load(row.trade_no))!;
  }

  /** A step whose claim yields the claimed row (null: nothing to do). */
  private step(name: string, claim: (tx: SqlExecutor) => Promise<TradeRow | null>): Step<{ row: TradeRow; plan: Plan } | null, Ended | null> {
    return {
      name,
      maxEvents: MAX_TRADE_EVENTS,
      claim: async (tx, nowMs) => {
        const row = await claim(tx);
        return row && { row, plan: this.plan(row, JSON.parse(row.pending_op!) as Op, nowMs) };
      },
      plan: (claimed) => claimed?.plan.events ?? [],
      record: async (tx, claimed, outcomes) => {
        if (!claimed) return null;
        const { row, plan } = claimed;
        const verdict = ledgerVerdict(outcomes);
        const change = { ...(verdict.applied ? plan.success : plan.failure), op: row.pending_op! };
        const after = await this.commitIn(tx, row, change, this.clock.now());
        if (!after) throw new Error(`trade ${row.trade_no} moved under its own claimed step`);
        return { after, refusal: verdict.applied ? null : refusal(verdict, plan.noFunds) };
      },
    };
  }

  private finish(ended: Ended | null): TradeRow | null {
    if (ended?.refusal) throw ended.refusal;
    return ended?.after ?? null;
  }

  private accounts(row: TradeRow): TradeAccounts {
    if (!row.buyer_user_id) throw new Error(`trade ${row.trade_no} has no buyer`);
    return { ledger: PLATFORM_CURRENCY.ledger, buyer: walletAccountId(row.buyer_user_id), merchant: row.settlement_account_id, revenue: this.revenueAccountId };
  }

  private plan(row: TradeRow, op: Op, nowMs: number): Plan {
    if (op.kind === 'pay') return this.planPay(row, nowMs);
    if (op.kind === 'settle') return this.planSettle(row, nowMs);
    return this.planRefund(row, op.outRequestNo, BigInt(op.amountMinor), nowMs);
  }

  private planPay(row: TradeRow, nowMs: number): Plan {
    const now = BigInt(nowMs);
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
      const set = {
        paid_at: now,
        settled_at: now,
        settled_minor: total,
        settled_amount_minor: total,
        fee_minor: fee,
        finish_due_at: BigInt(refundWindowEndMs(Number(now))),
      };
      return {
        events: instantPayEvents(row.trade_no, attempt, a, total, fee),
        success: { event: 'pay_instant', set },
        failure,
        noFunds: 'BUYER_BALANCE_NOT_ENOUGH',
      };
    }
    const holdId = escrowHoldId(row.trade_no, attempt);
    const set = { paid_at: now, held_minor: total, hold_id: holdId };
    return { events: escrowHoldEvents(holdId, row.trade_no, a, total), success: { event: 'pay_escrow', set }, failure, noFunds: 'BUYER_BALANCE_NOT_ENOUGH' };
  }

  private planSettle(row: TradeRow, now: number): Plan {
    const held = BigInt(row.held_minor);
    const fee = feeMinor(held, BigInt(row.fee_bps));
    const finishDue = Math.max(refundWindowEndMs(Number(row.paid_at)), now);
    const set = {
      settled_minor: held,
      settled_amount_minor: held,
      held_minor: 0n,
      fee_minor: fee,
      settled_at: BigInt(now),
      finish_due_at: BigInt(finishDue),
      confirm_due_at: null,
      confirm_left_ms: null,
    };
    return {
      events: settleEvents(row.trade_no, row.hold_id!, this.accounts(row), fee),
      success: { event: 'settle', set },
      failure: {},
      noFunds: 'SYSTEM_ERROR',
    };
  }

  private planRefund(row: TradeRow, outRequestNo: string, amount: bigint, now: number): Plan {
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
      success.set = {
        held_minor: remaining,
        hold_id: newHold,
        ...(remaining > 0n ? {} : { closed_at: BigInt(now), confirm_due_at: null, confirm_left_ms: null }),
      };
      return { events: refundHeldEvents(row.trade_no, row.hold_id!, newHold!, a, remaining), success, failure, noFunds: 'SYSTEM_ERROR' };
    }
    const settled = BigInt(row.settled_minor);
    const back = feeBackMinor(settled, BigInt(row.fee_minor), amount, BigInt(row.fee_bps));
    const remaining = settled - amount;
    success.event = remaining > 0n ? 'refund_partial' : 'refund_full';
    success.set = {
      settled_minor: remaining,
      fee_minor: BigInt(row.fee_minor) - back,
      ...(remaining > 0n ? {} : { closed_at: BigInt(now), finish_due_at: null }),
    };
    return { events: refundSettledEvents(row.trade_no, outRequestNo, a, amount, back), success, failure, noFunds: 'SELLER_BALANCE_NOT_ENOUGH' };
  }
}

/** The ledger's refusal of a trade step, as the caller is told. */
function refusal(verdict: LedgerVerdict & { applied: false }, noFunds: Plan['noFunds']): TradeError {
  if (verdict.reason === 'insufficient_funds' && noFunds !== 'SYSTEM_ERROR') return new TradeError(noFunds, 'the balance is not enough for this payment');
  return new TradeError('SYSTEM_ERROR', `the ledger refused the step (${verdict.result})`, { ledger_result: verdict.result });
}

/** A trade payment's claim on the buyer's balance limits: one per trade and buyer's request id. */
export function tradeSpendKey(buyerUserId: string, tradeNo: string, requestId: string): SpendKey {
  return { userId: buyerUserId, kind: 'trade', requestId: `${tradeNo}:${requestId}` };
}

async function markRefund(
  tx: SqlExecutor,
  tradeNo: string,
  outRequestNo: string,
  status: 'done' | 'failed',
  refundedTotal: bigint,
  nowMs: number,
): Promise<void> {
  await tx.run(
    "UPDATE trade_refunds SET status = ?, refunded_total_minor = ?, gmt_refund = ? WHERE trade_no = ? AND out_request_no = ? AND status = 'claimed'",
    [status, refundedTotal, status === 'done' ? BigInt(nowMs) : null, tradeNo, outRequestNo],
  );
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
