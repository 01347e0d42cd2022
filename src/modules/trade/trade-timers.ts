// The trade's clocks: the policy (payment timeouts, confirm timeouts by logistics, the one
// extension, the refund window, ship-by) and the background work a periodic job runs by it: resume
// steps a crash cut short, close unpaid trades at their timeout, settle escrows the buyer did not
// confirm in time, finish trades past their refund window, refund escrows the seller never shipped,
// and finish card fundings and payouts the bank left open. Every time comes from the caller's Clock.
import { WalletError } from '../wallet/wallet-errors.ts';
import { TradeError } from './trade-errors.ts';
import type { FundingRecord, PayoutDue, TimerSweep, TradeStore } from './trade-store.ts';
import type { LogisticsType, ProductCode, TradeRecord } from './trade-types.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;
const CST_OFFSET_MS = 8 * HOUR_MS;

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
const UNSHIPPED_REFUND_MS = 10 * DAY_MS;
/** The request id of the refund a ship-by timeout makes (by the buyer or by itself): one per trade. */
export const UNSHIPPED_REFUND_REQUEST = 'UNSHIPPED_REFUND';

/** The buyer may extend the confirm timer once, by this much (policy). */
export const CONFIRM_EXTENSION_MS = 3 * DAY_MS;
/** Refunds are taken for 3 calendar months after payment (policy). */
const REFUND_WINDOW_MONTHS = 3;
/** A step left in flight longer than this (a crash) is resumed by the timers. */
const STALE_OPERATION_MS = 60_000;

const UNIT_MS: Record<string, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };
const MIN_TIMEOUT_MS = MINUTE_MS;
const MAX_TIMEOUT_MS = 15 * DAY_MS;
const TIMER_BATCH = 100;

/**
 * When an unpaid trade closes: `time_expire` (an absolute deadline, which wins when both are
 * given, as on the public API), else `timeout_express` ("90m", "2h", "15d", "1c"), else the
 * product's default.
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

/** The end of the refund window for a trade paid at `paidAtMs` (a calendar computation, no clock). */
export function refundWindowEndMs(paidAtMs: number): number {
  const d = new Date(paidAtMs);
  d.setUTCMonth(d.getUTCMonth() + REFUND_WINDOW_MONTHS);
  return d.getTime();
}

/** What the sweeps do to one trade, done by the service under the trade's turn. */
export interface TimerActions {
  /** Takes the trade's turn (finishing a step left in flight) and hands `fn` the trade as it is. */
  locked<T>(tradeNo: string, fn: (t: TradeRecord) => Promise<T>): Promise<T>;
  /** Closes an unpaid trade; false when it moved meanwhile. */
  close(t: TradeRecord, nowMs: number): Promise<boolean>;
  settle(t: TradeRecord): Promise<unknown>;
  /** Ends the refund window; false when it moved meanwhile. */
  finish(t: TradeRecord): Promise<boolean>;
  refundRest(t: TradeRecord, outRequestNo: string, reason: string): Promise<void>;
  disputeOpen(tradeNo: string): Promise<boolean>;
  /** Takes a card funding as far as the bank's answer allows; whether it is still pending. */
  driveFunding(t: TradeRecord, f: FundingRecord): Promise<{ funding: { status: string } }>;
  payOut(refund: PayoutDue, buyerUserId: string): Promise<void>;
}

export class TradeTimers {
  constructor(
    private readonly store: TradeStore,
    private readonly act: TimerActions,
  ) {}

  /** Resumes cut-short steps, closes unpaid trades, auto-confirms, finishes; returns how many moved. */
  async run(now: number): Promise<number> {
    let moved = 0;
    // Taking the turn is enough: it finishes the step left in flight.
    moved += await this.sweep('stale_step', now - STALE_OPERATION_MS, async () => true);
    moved += await this.sweepDue(
      'pay_timeout',
      now,
      (t) => t.status === 'WAIT_BUYER_PAY' && t.timeoutAtMs,
      (t) => this.act.close(t, now),
    );
    moved += await this.sweepDue(
      'confirm_timeout',
      now,
      (t) => t.status === 'WAIT_BUYER_CONFIRM_GOODS' && t.confirmDueAtMs,
      async (t) => {
        await this.act.settle(t);
        return true;
      },
    );
    moved += await this.sweepDue(
      'finish',
      now,
      (t) => t.status === 'TRADE_SUCCESS' && t.finishDueAtMs,
      (t) => this.act.finish(t),
    );
    moved += await this.sweep('unshipped', now - UNSHIPPED_REFUND_MS, async (t) => {
      if (t.status !== 'WAIT_SELLER_SEND_GOODS' || (t.paidAtMs ?? now) > now - UNSHIPPED_REFUND_MS) return false;
      // A dispute opened since the sweep's query is the operator's to decide.
      if (await this.act.disputeOpen(t.tradeNo)) return false;
      await this.act.refundRest(t, UNSHIPPED_REFUND_REQUEST, 'not shipped in time: refunded by the ship-by policy');
      return true;
    });
    moved += await this.resolveCardFundings(now);
    moved += await this.payOutRefunds();
    return moved;
  }

  /** When `run` next has a trade to move (epoch ms), or null: the sandbox clock jumps to it. */
  nextDue(): Promise<number | null> {
    return this.store.nextDue(UNSHIPPED_REFUND_MS, STALE_OPERATION_MS);
  }

  /** Card fundings whose bank answer was unknown: finishes those the bank has answered since. */
  private async resolveCardFundings(nowMs: number): Promise<number> {
    let moved = 0;
    for (const due of await this.store.fundingsDue(nowMs - STALE_OPERATION_MS, TIMER_BATCH)) {
      try {
        const after = await this.act.locked(due.tradeNo, async (t) => {
          const f = await this.store.funding(due.tradeNo, due.buyerUserId, due.requestId);
          return this.act.driveFunding(t, f!);
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
    const due = await this.store.payoutsDue(TIMER_BATCH);
    for (const refund of due) await this.act.locked(refund.tradeNo, (t) => this.act.payOut(refund, t.buyerUserId!));
    return due.length;
  }

  /** Runs `act` on each due trade whose due time (`dueAt`: false when it is in another state) still has come once its turn comes. */
  private sweepDue(
    sweep: TimerSweep,
    now: number,
    dueAt: (t: TradeRecord) => number | undefined | false,
    act: (t: TradeRecord) => Promise<boolean>,
  ): Promise<number> {
    return this.sweep(sweep, now, async (t) => {
      const at = dueAt(t);
      if (at === false || at === undefined || at > now) return false;
      return act(t);
    });
  }

  /** Runs `fn` on each due trade (re-read under its turn), in batches until none is due. */
  private async sweep(sweep: TimerSweep, cutOffMs: number, fn: (t: TradeRecord) => Promise<boolean>): Promise<number> {
    let moved = 0;
    const seen = new Set<string>();
    for (;;) {
      const fresh = (await this.store.due(sweep, cutOffMs, TIMER_BATCH)).filter((no) => !seen.has(no));
      if (fresh.length === 0) return moved;
      for (const tradeNo of fresh) {
        seen.add(tradeNo);
        try {
          if (await this.act.locked(tradeNo, fn)) moved += 1;
        } catch (error) {
          if (!(error instanceof TradeError)) throw error;
        }
      }
    }
  }
}
