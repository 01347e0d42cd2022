// The trade's plans, pure: a trade's state and the time in, the ledger events of a step and the
// change to record when the ledger applies them or refuses them out. Also the changes that move no
// money (close, ship, extend, finish) and the rule every recorded trade keeps. No clock, no I/O:
// the commands read the time and the store, and the step runner moves the money.
import type { TransferEvent } from '../../ledger/index.ts';
import { walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { SpendKey } from '../wallet/spending-limits.ts';
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
import { assertTransition, isHeld, isPaid, type TradeEvent, type TradeStatus } from './trade-states.ts';
import { CONFIRM_EXTENSION_MS, confirmTimeoutMs, refundWindowEndMs } from './trade-timers.ts';
import type { LogisticsType, TradeRecord } from './trade-types.ts';

/** A step that moves a trade's money, as stored in flight (`pendingOp`, its JSON). */
export type Op = { kind: 'pay' } | { kind: 'settle' } | { kind: 'refund'; outRequestNo: string; amountMinor: string };

/** One change of a trade; the store writes each kind with a statement of its own. */
export type TradeChange =
  | { kind: 'close'; atMs: number }
  | { kind: 'finish' }
  | { kind: 'ship'; atMs: number; logisticsType: LogisticsType; waybillNo?: string; confirmDueAtMs?: number; confirmLeftMs?: number }
  | { kind: 'extend'; confirmDueAtMs?: number; confirmLeftMs?: number }
  | { kind: 'paid_instant'; atMs: number; settledMinor: bigint; feeMinor: bigint; finishDueAtMs: number }
  | { kind: 'paid_escrow'; atMs: number; heldMinor: bigint; holdId: string }
  | { kind: 'pay_refused' }
  | { kind: 'settled'; atMs: number; settledMinor: bigint; feeMinor: bigint; finishDueAtMs: number }
  | { kind: 'settle_refused' }
  | RefundChange;

/** A refund's outcome: the money moved (while held, or after settlement), or the ledger refused it. */
export type RefundChange = { outRequestNo: string; atMs: number; refundedTotalMinor: bigint } & (
  | { kind: 'refunded_held'; event: 'refund_partial' | 'refund_full'; heldMinor: bigint; holdId: string; closedAtMs?: number }
  | { kind: 'refunded_settled'; event: 'refund_partial' | 'refund_full'; settledMinor: bigint; feeMinor: bigint; closedAtMs?: number }
  | { kind: 'refund_refused'; refundedMinor: bigint }
);

/** A step's plan: its ledger events and the change to record either way. */
export interface Plan {
  readonly events: TransferEvent[];
  readonly success: TradeChange;
  readonly failure: TradeChange;
  /** The refusal to throw when the ledger said no for lack of funds. */
  readonly noFunds: 'BUYER_BALANCE_NOT_ENOUGH' | 'SELLER_BALANCE_NOT_ENOUGH' | 'SYSTEM_ERROR';
}

/** The most events a trade step plans (an instant payment with its fee, a refund with its fee back). */
export const MAX_TRADE_EVENTS = 4;

/** The plan of the step `op` claimed on `t`, at `nowMs`. */
export function planStep(t: TradeRecord, op: Op, revenueAccountId: string, nowMs: number): Plan {
  const a = tradeAccounts(t, revenueAccountId);
  if (op.kind === 'pay') return planPay(t, a, nowMs);
  if (op.kind === 'settle') return planSettle(t, a, nowMs);
  return planRefund(t, a, op.outRequestNo, BigInt(op.amountMinor), nowMs);
}

function tradeAccounts(t: TradeRecord, revenue: string): TradeAccounts {
  if (!t.buyerUserId) throw new Error(`trade ${t.tradeNo} has no buyer`);
  return { ledger: PLATFORM_CURRENCY.ledger, buyer: walletAccountId(t.buyerUserId), merchant: t.settlementAccountId, revenue };
}

function planPay(t: TradeRecord, a: TradeAccounts, nowMs: number): Plan {
  // A card attempt has ledger ids of its own: a refused wallet attempt with the same request id stays refused.
  const attempt = `${t.buyerUserId}:${t.fundingSource === 'card' ? 'card:' : ''}${t.payRequestId}`;
  const failure: TradeChange = { kind: 'pay_refused' };
  if (t.productCode === 'FAST_INSTANT_TRADE_PAY') {
    const fee = feeMinor(t.totalMinor, t.feeBps);
    const success: TradeChange = { kind: 'paid_instant', atMs: nowMs, settledMinor: t.totalMinor, feeMinor: fee, finishDueAtMs: refundWindowEndMs(nowMs) };
    return { events: instantPayEvents(t.tradeNo, attempt, a, t.totalMinor, fee), success, failure, noFunds: 'BUYER_BALANCE_NOT_ENOUGH' };
  }
  const holdId = escrowHoldId(t.tradeNo, attempt);
  const success: TradeChange = { kind: 'paid_escrow', atMs: nowMs, heldMinor: t.totalMinor, holdId };
  return { events: escrowHoldEvents(holdId, t.tradeNo, a, t.totalMinor), success, failure, noFunds: 'BUYER_BALANCE_NOT_ENOUGH' };
}

function planSettle(t: TradeRecord, a: TradeAccounts, nowMs: number): Plan {
  const fee = feeMinor(t.heldMinor, t.feeBps);
  const finishDueAtMs = Math.max(refundWindowEndMs(t.paidAtMs!), nowMs);
  return {
    events: settleEvents(t.tradeNo, t.holdId!, a, fee),
    success: { kind: 'settled', atMs: nowMs, settledMinor: t.heldMinor, feeMinor: fee, finishDueAtMs },
    failure: { kind: 'settle_refused' },
    noFunds: 'SYSTEM_ERROR',
  };
}

/** A claimed refund: the trade already counts it in refundedMinor. */
function planRefund(t: TradeRecord, a: TradeAccounts, outRequestNo: string, amount: bigint, nowMs: number): Plan {
  const refundedTotal = t.refundedMinor;
  const ended = { outRequestNo, atMs: nowMs };
  const failure: TradeChange = { kind: 'refund_refused', ...ended, refundedMinor: refundedTotal - amount, refundedTotalMinor: refundedTotal - amount };
  if (isHeld(t.status)) {
    const remaining = t.heldMinor - amount;
    const newHold = remaining > 0n ? escrowHoldId(t.tradeNo, `refund:${outRequestNo}`) : t.holdId!;
    const success: TradeChange = {
      kind: 'refunded_held',
      ...ended,
      refundedTotalMinor: refundedTotal,
      event: remaining > 0n ? 'refund_partial' : 'refund_full',
      heldMinor: remaining,
      holdId: newHold,
      closedAtMs: remaining > 0n ? undefined : nowMs,
    };
    return { events: refundHeldEvents(t.tradeNo, t.holdId!, newHold, a, remaining), success, failure, noFunds: 'SYSTEM_ERROR' };
  }
  const back = feeBackMinor(t.settledMinor, t.feeMinor, amount, t.feeBps);
  const remaining = t.settledMinor - amount;
  const success: TradeChange = {
    kind: 'refunded_settled',
    ...ended,
    refundedTotalMinor: refundedTotal,
    event: remaining > 0n ? 'refund_partial' : 'refund_full',
    settledMinor: remaining,
    feeMinor: t.feeMinor - back,
    closedAtMs: remaining > 0n ? undefined : nowMs,
  };
  return { events: refundSettledEvents(t.tradeNo, outRequestNo, a, amount, back), success, failure, noFunds: 'SELLER_BALANCE_NOT_ENOUGH' };
}

/** The move of the state table a change makes, if any. */
function eventOf(c: TradeChange): TradeEvent | undefined {
  switch (c.kind) {
    case 'close':
    case 'finish':
    case 'ship':
      return c.kind;
    case 'paid_instant':
      return 'pay_instant';
    case 'paid_escrow':
      return 'pay_escrow';
    case 'settled':
      return 'settle';
    case 'refunded_held':
    case 'refunded_settled':
      return c.event;
    default:
      return undefined;
  }
}

/** The status after `c`; a move the state table does not list is a programmer error. */
export function statusAfter(from: TradeStatus, c: TradeChange): TradeStatus {
  const event = eventOf(c);
  return event ? assertTransition(from, event) : from;
}

/** Whether the merchant is told of a change: a new status, or money refunded (a partial refund keeps it). */
export function notifies(from: TradeStatus, to: TradeStatus, c: TradeChange): boolean {
  return to !== from || c.kind === 'refunded_held' || c.kind === 'refunded_settled';
}

export function closeChange(nowMs: number): TradeChange {
  return { kind: 'close', atMs: nowMs };
}

/** Shipping starts the confirm timer by logistics; a dispute already open keeps it paused. */
export function shipChange(shipment: { logisticsType: LogisticsType; waybillNo?: string }, nowMs: number, disputeOpen: boolean): TradeChange {
  const timeout = confirmTimeoutMs(shipment.logisticsType);
  return {
    kind: 'ship',
    atMs: nowMs,
    logisticsType: shipment.logisticsType,
    waybillNo: shipment.waybillNo,
    confirmDueAtMs: disputeOpen ? undefined : nowMs + timeout,
    confirmLeftMs: disputeOpen ? timeout : undefined,
  };
}

/** The one extension of the confirm timer: of its due time, or of what is left while paused. */
export function extendChange(t: TradeRecord): TradeChange {
  return t.confirmDueAtMs === undefined
    ? { kind: 'extend', confirmLeftMs: (t.confirmLeftMs ?? 0) + CONFIRM_EXTENSION_MS }
    : { kind: 'extend', confirmDueAtMs: t.confirmDueAtMs + CONFIRM_EXTENSION_MS };
}

/** A trade payment's claim on the buyer's balance limits: one per trade and buyer's request id. */
export function tradeSpendKey(buyerUserId: string, tradeNo: string, requestId: string): SpendKey {
  return { userId: buyerUserId, kind: 'trade', requestId: `${tradeNo}:${requestId}` };
}

/** Every paid fen is in exactly one place: refunded, held in escrow, or settled to the seller. */
export function assertMoneySplit(t: TradeRecord): void {
  if (t.paidAtMs === undefined) return;
  const parts = t.refundedMinor + t.heldMinor + t.settledMinor;
  const open = t.pendingOp !== undefined; // a claimed refund is counted before its money moves
  if (!open && parts !== t.totalMinor && (isPaid(t.status) || t.status === 'TRADE_CLOSED')) {
    throw new Error(`trade ${t.tradeNo}: refunded + held + settled = ${parts}, paid ${t.totalMinor}`);
  }
}
