// How a trade's money moves on the ledger: the fee rule and the transfer chains of each step.
// Pure: ids derive from the trade and the step, so running a step twice meets `exists`.
import { settlePendingEvent, TransferFlag, type TransferEvent, transferEvent } from '../../ledger/index.ts';
import { derivedId, TransferCode } from '../books/chart.ts';

/** The accounts one trade touches. */
export interface TradeAccounts {
  readonly ledger: number;
  readonly buyer: string;
  readonly merchant: string;
  readonly revenue: string;
}

/**
 * The platform fee on an amount: amount * feeBps / 10000 rounded half-up to the minor unit.
 * The fraction below half stays with the merchant.
 */
export function feeMinor(amountMinor: bigint, feeBps: bigint): bigint {
  if (amountMinor < 0n || feeBps < 0n) throw new Error('fee of a negative amount or rate');
  return (amountMinor * feeBps + 5_000n) / 10_000n;
}

/**
 * The fee to give back when `refundMinor` of `settledMinor` is refunded: what was charged minus
 * the fee on what stays. A full refund so gives back exactly everything charged.
 */
export function feeBackMinor(settledMinor: bigint, chargedFeeMinor: bigint, refundMinor: bigint, feeBps: bigint): bigint {
  const back = chargedFeeMinor - feeMinor(settledMinor - refundMinor, feeBps);
  return back > 0n ? back : 0n;
}

/** Links every event to the next, so the chain applies all or nothing. */
export function chain(events: TransferEvent[]): TransferEvent[] {
  return events.map((e, i) => (i < events.length - 1 ? { ...e, flags: e.flags | TransferFlag.linked } : e));
}

function move(id: string, a: TradeAccounts, from: string, to: string, amount: bigint, code: number, tradeNo: string, flags = 0): TransferEvent {
  return transferEvent({ id, debitAccountId: from, creditAccountId: to, amount, ledger: a.ledger, code, userData: tradeNo, flags });
}

/** Instant pay: buyer to merchant, and the fee from merchant to revenue, in one chain. */
export function instantPayEvents(tradeNo: string, attempt: string, a: TradeAccounts, totalMinor: bigint, fee: bigint): TransferEvent[] {
  const events = [move(derivedId('tpy', tradeNo, attempt), a, a.buyer, a.merchant, totalMinor, TransferCode.tradePayment, tradeNo)];
  if (fee > 0n) events.push(move(derivedId('tfe', tradeNo, attempt), a, a.merchant, a.revenue, fee, TransferCode.tradeFee, tradeNo));
  return chain(events);
}

export function escrowHoldId(tradeNo: string, attempt: string): string {
  return derivedId('thd', tradeNo, attempt);
}

/** Escrow pay: a pending transfer buyer to merchant, with no ledger timeout (the trade's timers decide). */
export function escrowHoldEvents(holdId: string, tradeNo: string, a: TradeAccounts, amountMinor: bigint): TransferEvent[] {
  return [move(holdId, a, a.buyer, a.merchant, amountMinor, TransferCode.tradeEscrowHold, tradeNo, TransferFlag.pending)];
}

/** Settlement: post the hold and take the fee, linked. */
export function settleEvents(tradeNo: string, holdId: string, a: TradeAccounts, fee: bigint): TransferEvent[] {
  const events = [settlePendingEvent(derivedId('tps', tradeNo, holdId), holdId, true)];
  if (fee > 0n) events.push(move(derivedId('tsf', tradeNo, holdId), a, a.merchant, a.revenue, fee, TransferCode.tradeFee, tradeNo));
  return chain(events);
}

/**
 * A refund while the money is held: void the hold and, for a partial refund, hold the rest again
 * in the same chain, so the remainder stays in escrow until the buyer confirms.
 */
export function refundHeldEvents(tradeNo: string, holdId: string, newHoldId: string, a: TradeAccounts, remainingMinor: bigint): TransferEvent[] {
  const events = [settlePendingEvent(derivedId('trv', tradeNo, holdId), holdId, false)];
  if (remainingMinor > 0n) events.push(...escrowHoldEvents(newHoldId, tradeNo, a, remainingMinor));
  return chain(events);
}

/** A refund after settlement: the fee share back from revenue, then merchant to buyer, linked. */
export function refundSettledEvents(tradeNo: string, outRequestNo: string, a: TradeAccounts, refundMinor: bigint, feeBack: bigint): TransferEvent[] {
  const events: TransferEvent[] = [];
  if (feeBack > 0n) events.push(move(derivedId('trb', tradeNo, outRequestNo), a, a.revenue, a.merchant, feeBack, TransferCode.tradeFeeRefund, tradeNo));
  events.push(move(derivedId('trf', tradeNo, outRequestNo), a, a.merchant, a.buyer, refundMinor, TransferCode.tradeRefund, tradeNo));
  return chain(events);
}
