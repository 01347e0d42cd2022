// The merchant's daily bill: the trades settled and the refunds taken back on one Asia/Shanghai
// calendar day, as CSV with totals, to reconcile against what reached the settlement account. Fees
// use the trade module's own rule, so the bill's net is the settlement account's movement that day.
import { stringify } from 'csv-stringify/sync';
import { feeMinor } from '../trade/trade-ledger.ts';
import { formatChinaTime, parseChinaTime } from './protocol/china-time.ts';
import type { Refund, Trade } from './trade-port.ts';
import { yuan } from './trade-wire.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** [fromMs, toMs) of a "yyyy-MM-dd" day in China Standard Time, or undefined for a bad date. */
export function chinaDay(date: string): { fromMs: number; toMs: number } | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const fromMs = parseChinaTime(`${date} 00:00:00`);
  return fromMs === undefined ? undefined : { fromMs, toMs: fromMs + DAY_MS };
}

export interface BillTotals {
  tradeCount: number;
  tradeAmountMinor: bigint;
  refundCount: number;
  refundAmountMinor: bigint;
  /** Fees taken on the day's trades minus fees given back on its refunds. */
  feeMinor: bigint;
  /** What the day should have moved on the settlement account. */
  netMinor: bigint;
}

export interface Bill {
  csv: string;
  totals: BillTotals;
}

interface Line {
  type: 'trade' | 'refund';
  timeMs: number;
  trade: Trade | undefined;
  tradeNo: string;
  outTradeNo: string;
  outRequestNo: string;
  amountMinor: bigint;
  feeMinor: bigint;
}

/** The fee back on a refund: the fee on what was left before it minus the fee on what is left after. */
function refundFee(trade: Trade | undefined, refund: Refund, feeBps: bigint): bigint {
  const total = trade?.totalAmountMinor ?? 0n;
  const before = total - (refund.refundedTotalMinor - refund.refundAmountMinor);
  return feeMinor(before, feeBps) - feeMinor(before - refund.refundAmountMinor, feeBps);
}

function afterSettlement(trade: Trade | undefined, refund: Refund): boolean {
  return trade?.settledAtMs !== undefined && refund.gmtRefundMs >= trade.settledAtMs;
}

function lines(trades: Trade[], refunds: Refund[], range: { fromMs: number; toMs: number }, feeBps: bigint): Line[] {
  const inDay = (ms: number | undefined) => ms !== undefined && ms >= range.fromMs && ms < range.toMs;
  const byNo = new Map(trades.map((t) => [t.tradeNo, t]));
  // The bill follows the merchant's money: a trade counts when it settles (an escrow trade at the
  // buyer's confirmation), and only refunds after settlement take money back from the merchant.
  const tradeLines: Line[] = trades
    .filter((t) => inDay(t.settledAtMs))
    .map((t) => ({
      type: 'trade',
      timeMs: t.settledAtMs ?? 0,
      trade: t,
      tradeNo: t.tradeNo,
      outTradeNo: t.outTradeNo,
      outRequestNo: '',
      amountMinor: t.settledAmountMinor,
      feeMinor: feeMinor(t.settledAmountMinor, feeBps),
    }));
  const refundLines: Line[] = refunds
    .filter((r) => inDay(r.gmtRefundMs) && afterSettlement(byNo.get(r.tradeNo), r))
    .map((r) => {
      const trade = byNo.get(r.tradeNo);
      return {
        type: 'refund',
        timeMs: r.gmtRefundMs,
        trade,
        tradeNo: r.tradeNo,
        outTradeNo: r.outTradeNo,
        outRequestNo: r.outRequestNo,
        amountMinor: -r.refundAmountMinor,
        feeMinor: -refundFee(trade, r, feeBps),
      };
    });
  return [...tradeLines, ...refundLines].sort((a, b) => a.timeMs - b.timeMs || a.tradeNo.localeCompare(b.tradeNo));
}

/** Quotes a CSV field and defuses spreadsheet formulas in merchant-chosen text (subjects, numbers). */
/** A cell a spreadsheet would run as a formula is defused with a leading quote (negative amounts stay numbers). */
function cell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^-\d/.test(value) ? `'${value}` : value;
}

const HEADER = ['type', 'time', 'trade_no', 'out_trade_no', 'out_request_no', 'product_code', 'trade_status', 'subject', 'amount', 'fee', 'net'];

function row(l: Line): string[] {
  const t = l.trade;
  return [
    l.type,
    formatChinaTime(l.timeMs),
    l.tradeNo,
    l.outTradeNo,
    l.outRequestNo,
    t?.productCode ?? '',
    t?.status ?? '',
    t?.subject ?? '',
    yuan(l.amountMinor),
    yuan(l.feeMinor),
    yuan(l.amountMinor - l.feeMinor),
  ];
}

function totalsOf(all: Line[]): BillTotals {
  const sum = (ls: Line[], f: (l: Line) => bigint) => ls.reduce((acc, l) => acc + f(l), 0n);
  const trades = all.filter((l) => l.type === 'trade');
  const refunds = all.filter((l) => l.type === 'refund');
  const fee = sum(all, (l) => l.feeMinor);
  const amount = sum(all, (l) => l.amountMinor);
  return {
    tradeCount: trades.length,
    tradeAmountMinor: sum(trades, (l) => l.amountMinor),
    refundCount: refunds.length,
    refundAmountMinor: -sum(refunds, (l) => l.amountMinor),
    feeMinor: fee,
    netMinor: amount - fee,
  };
}

export function buildBill(activity: { trades: Trade[]; refunds: Refund[] }, range: { fromMs: number; toMs: number }, feeBps: number): Bill {
  const all = lines(activity.trades, activity.refunds, range, BigInt(feeBps));
  const totals = totalsOf(all);
  const summary = [
    ['summary', 'count', 'amount', 'fee', 'net'],
    ['trades', String(totals.tradeCount), yuan(totals.tradeAmountMinor), '', ''],
    ['refunds', String(totals.refundCount), yuan(-totals.refundAmountMinor), '', ''],
    ['total', String(all.length), yuan(totals.tradeAmountMinor - totals.refundAmountMinor), yuan(totals.feeMinor), yuan(totals.netMinor)],
  ];
  const csv = stringify(
    [HEADER, ...all.map(row), [], ...summary].map((r) => r.map(cell)),
    { record_delimiter: 'windows' },
  );
  return { csv, totals };
}
