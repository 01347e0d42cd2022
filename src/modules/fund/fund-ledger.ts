// The fund's ledger events, pure. Cash (CNY) and shares (the fund-share ledger) always move in one
// linked chain, so a subscription or redemption is whole on both ledgers or on neither.
import type { AccountEvent, TransferEvent } from '../../ledger/index.ts';
import { AccountFlag, settlePendingEvent, TransferFlag, transferEvent } from '../../ledger/index.ts';
import { findCurrency } from '../../money/currency.ts';
import {
  AccountCode,
  derivedId,
  fundCustodyAccountId,
  fundEarningsAccountId,
  fundIncomeAccountId,
  fundIssuanceAccountId,
  fundSharesAccountId,
  TransferCode,
  walletAccountId,
} from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';

const shareCurrency = findCurrency('FMS');
if (!shareCurrency) throw new Error('the currency table lacks the fund share (FMS)');
/** One share is 1.00 CNY, counted in hundredths like the fen. */
export const SHARE_CURRENCY = shareCurrency;

const CASH = PLATFORM_CURRENCY.ledger;
const SHARES = SHARE_CURRENCY.ledger;
const NEVER_NEGATIVE = AccountFlag.debits_must_not_exceed_credits;

/** A fund's own accounts, opened when it is created. */
export function fundAccounts(fundId: string): AccountEvent[] {
  return [
    { id: fundCustodyAccountId(fundId), ledger: CASH, code: AccountCode.fundCustody, flags: NEVER_NEGATIVE, userData: fundId },
    { id: fundEarningsAccountId(fundId), ledger: CASH, code: AccountCode.fundEarnings, flags: 0, userData: fundId },
    { id: fundIssuanceAccountId(fundId), ledger: SHARES, code: AccountCode.fundIssuance, flags: 0, userData: fundId },
    // Never negative: the ledger itself refuses to pay holders more income than the fund declared.
    { id: fundIncomeAccountId(fundId), ledger: SHARES, code: AccountCode.fundIncome, flags: NEVER_NEGATIVE, userData: fundId },
  ];
}

export function holderSharesAccount(fundId: string, userId: string): AccountEvent {
  return { id: fundSharesAccountId(fundId, userId), ledger: SHARES, code: AccountCode.fundHolderShares, flags: NEVER_NEGATIVE, userData: userId };
}

/** Cash and shares of one order: the wallet's cash for the fund's new shares, or back. */
interface Order {
  readonly id: string;
  readonly fundId: string;
  readonly userId: string;
  readonly amountMinor: bigint;
}

function cashLeg(order: Order, code: number, flags: number, toFund: boolean): TransferEvent {
  const wallet = walletAccountId(order.userId);
  const custody = fundCustodyAccountId(order.fundId);
  return transferEvent({
    id: derivedId('fcash', order.id),
    debitAccountId: toFund ? wallet : custody,
    creditAccountId: toFund ? custody : wallet,
    amount: order.amountMinor,
    ledger: CASH,
    code,
    flags,
    userData: order.userId,
  });
}

function sharesLeg(order: Order, code: number, flags: number, toHolder: boolean): TransferEvent {
  const holder = fundSharesAccountId(order.fundId, order.userId);
  const issuance = fundIssuanceAccountId(order.fundId);
  return transferEvent({
    id: derivedId('fshr', order.id),
    debitAccountId: toHolder ? issuance : holder,
    creditAccountId: toHolder ? holder : issuance,
    amount: order.amountMinor,
    ledger: SHARES,
    code,
    flags,
    userData: order.userId,
  });
}

/** A subscription waits for confirmation as two pending transfers, linked. */
export function subscriptionChain(order: Order): TransferEvent[] {
  const code = TransferCode.fundSubscription;
  return [cashLeg(order, code, TransferFlag.linked | TransferFlag.pending, true), sharesLeg(order, code, TransferFlag.pending, true)];
}

/** A redemption: shares back to the fund and cash to the wallet, at once (fast) or pending until T+1 (normal). */
export function redemptionChain(order: Order, pending: boolean): TransferEvent[] {
  const code = TransferCode.fundRedemption;
  const flag = pending ? TransferFlag.pending : 0;
  return [sharesLeg(order, code, TransferFlag.linked | flag, false), cashLeg(order, code, flag, false)];
}

/** Posts both pending legs of an order (a confirmation, or a normal redemption's arrival), linked. */
export function postOrderChain(orderId: string): TransferEvent[] {
  const cash = settlePendingEvent(derivedId('fpost', orderId, 'cash'), derivedId('fcash', orderId), true);
  const shares = settlePendingEvent(derivedId('fpost', orderId, 'shares'), derivedId('fshr', orderId), true);
  return [{ ...cash, flags: cash.flags | TransferFlag.linked }, shares];
}

/** The day's declared income: the earnings reach the custodian as cash and the fund's income account as shares. */
export function declarationChain(fundId: string, date: string, declaredMinor: bigint): TransferEvent[] {
  if (declaredMinor === 0n) return [];
  const code = TransferCode.fundIncomeDeclared;
  return [
    transferEvent({
      id: derivedId('fdcl', fundId, date, 'cash'),
      debitAccountId: fundEarningsAccountId(fundId),
      creditAccountId: fundCustodyAccountId(fundId),
      amount: declaredMinor,
      ledger: CASH,
      code,
      flags: TransferFlag.linked,
      userData: date,
    }),
    transferEvent({
      id: derivedId('fdcl', fundId, date, 'shares'),
      debitAccountId: fundIssuanceAccountId(fundId),
      creditAccountId: fundIncomeAccountId(fundId),
      amount: declaredMinor,
      ledger: SHARES,
      code,
      userData: date,
    }),
  ];
}

/** A holder's income for the day, reinvested: shares from the fund's income account. */
export function incomePayout(fundId: string, date: string, userId: string, paidMinor: bigint): TransferEvent {
  return transferEvent({
    id: derivedId('finc', fundId, date, userId),
    debitAccountId: fundIncomeAccountId(fundId),
    creditAccountId: fundSharesAccountId(fundId, userId),
    amount: paidMinor,
    ledger: SHARES,
    code: TransferCode.fundIncomePaid,
    userData: date,
  });
}
