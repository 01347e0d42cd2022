// The trade's clocks as policy: payment timeouts (timeout_express), confirm timeouts by logistics,
// the one extension, and the refund window. All take `nowMs` from the caller's injected Clock.
import { TradeError } from './trade-errors.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const CST_OFFSET_MS = 8 * HOUR_MS;

export type ProductCode = 'FAST_INSTANT_TRADE_PAY' | 'ESCROW_TRADE_PAY';
export type LogisticsType = 'EXPRESS' | 'POST' | 'VIRTUAL' | 'NONE';

/** Policy defaults: a checkout waits 15 minutes, a marketplace order 3 days. */
const DEFAULT_PAY_TIMEOUT_MS: Record<ProductCode, number> = { FAST_INSTANT_TRADE_PAY: 15 * MINUTE_MS, ESCROW_TRADE_PAY: 3 * DAY_MS };

const CONFIRM_TIMEOUT_MS: Record<LogisticsType, number> = {
  EXPRESS: 10 * DAY_MS,
  NONE: 10 * DAY_MS,
  POST: 30 * DAY_MS,
  VIRTUAL: 3 * DAY_MS,
};

/** Ship-by (policy, decision 16): an escrow trade not shipped this long after payment may be
 *  cancelled by the buyer for a full refund, */
export const BUYER_MAY_CANCEL_UNSHIPPED_MS = 5 * DAY_MS;
/** and one not shipped this long after payment is refunded in full by itself (unless a dispute waits for the operator). */
export const UNSHIPPED_REFUND_MS = 10 * DAY_MS;

/** The buyer may extend the confirm timer once, by this much (policy). */
export const CONFIRM_EXTENSION_MS = 3 * DAY_MS;
/** Refunds are taken for 3 calendar months after payment (policy). */
const REFUND_WINDOW_MONTHS = 3;
/** A step left in flight longer than this (a crash) is resumed by the timers. */
export const STALE_OPERATION_MS = 60_000;

const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };
const MIN_TIMEOUT_MS = MINUTE_MS;
const MAX_TIMEOUT_MS = 15 * DAY_MS;

/**
 * When an unpaid trade closes: `time_expire` (an absolute "yyyy-MM-dd HH:mm:ss" China time, which
 * wins when both are given, as on the public API), else `timeout_express` ("90m", "2h", "15d",
 * "1c"), else the product's default.
 */
export function payDeadlineMs(productCode: ProductCode, timeoutExpress: string | undefined, nowMs: number, timeExpireMs?: number): number {
  if (timeExpireMs !== undefined) return absoluteDeadlineMs(timeExpireMs, nowMs);
  if (timeoutExpress === undefined || timeoutExpress === '') return nowMs + DEFAULT_PAY_TIMEOUT_MS[productCode];
  if (timeoutExpress === '1c') return endOfChinaDayMs(nowMs);
  const match = /^([1-9]\d{0,5})([mhd])$/.exec(timeoutExpress);
  const span = match ? Number(match[1]) * UNIT_MS[match[2]] : Number.NaN;
  if (!(span >= MIN_TIMEOUT_MS && span <= MAX_TIMEOUT_MS)) {
    throw new TradeError('INVALID_PARAMETER', `timeout_express '${timeoutExpress}' must be 1m to 15d (a number and m, h or d) or 1c`);
  }
  return nowMs + span;
}

/** `time_expire`: a deadline from 1 minute to 15 days ahead. */
function absoluteDeadlineMs(atMs: number, nowMs: number): number {
  if (!Number.isFinite(atMs) || atMs - nowMs < MIN_TIMEOUT_MS || atMs - nowMs > MAX_TIMEOUT_MS) {
    throw new TradeError('INVALID_PARAMETER', 'time_expire must be from 1 minute to 15 days ahead');
  }
  return atMs;
}

/** Midnight at the end of today, China Standard Time: the merchants' day. */
function endOfChinaDayMs(nowMs: number): number {
  const local = nowMs + CST_OFFSET_MS;
  return local - (local % DAY_MS) + DAY_MS - CST_OFFSET_MS;
}

export function confirmTimeoutMs(logistics: LogisticsType): number {
  return CONFIRM_TIMEOUT_MS[logistics];
}

/** The end of the refund window for a trade paid at `paidAtMs`. */
export function refundWindowEndMs(paidAtMs: number): number {
  const d = new Date(paidAtMs);
  d.setUTCMonth(d.getUTCMonth() + REFUND_WINDOW_MONTHS);
  return d.getTime();
}
