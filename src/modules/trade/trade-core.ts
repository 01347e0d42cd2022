// What every trade command shares: the store and clock, the steps, and the turns on one trade.
// A command takes the trade's turn (locked), which first finishes any step a crash left in flight,
// so it always decides on the trade as it is; the helpers here are the only ways to take it.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { KeyedLock } from './keyed-lock.ts';
import { TradeError } from './trade-errors.ts';
import type { Change, TradeSteps } from './trade-steps.ts';
import { type Trade, type TradeRef, type TradeRow, toTrade } from './trade-types.ts';

export class TradeCore {
  private readonly locks = new KeyedLock();

  constructor(
    readonly db: SqlDatabase,
    readonly clock: Clock,
    readonly ids: IdSource,
    readonly steps: TradeSteps,
  ) {}

  /** Takes the trade's turn, finishes any step left in flight, and hands `fn` the current row. */
  locked<T>(tradeNo: string, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    return this.locks.run(tradeNo, async () => {
      let row = await this.reload(tradeNo);
      if (row.pending_op !== null) row = await this.steps.resume(row);
      return fn(row);
    });
  }

  /** As locked, for the trade's buyer only; anyone else is told it does not exist. */
  buyerLocked<T>(buyerUserId: string, tradeNo: string, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    return this.locked(tradeNo, async (row) => {
      if (row.buyer_user_id !== buyerUserId) throw notExist();
      return fn(row);
    });
  }

  /** As locked, for a trade of this merchant named by either of its numbers. */
  async merchantLocked<T>(merchantId: string, ref: TradeRef, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    const found = await this.find(merchantId, ref);
    return this.locked(found.trade_no, fn);
  }

  async reload(tradeNo: string): Promise<TradeRow> {
    const row = await this.steps.load(tradeNo);
    if (!row) throw notExist();
    return row;
  }

  byOutTradeNo(merchantId: string, outTradeNo: string): Promise<TradeRow | undefined> {
    return this.db.get<TradeRow>('SELECT * FROM trades WHERE merchant_id = ? AND out_trade_no = ?', [merchantId, outTradeNo]);
  }

  /** The merchant's trade; another merchant's, or numbers that do not match, do not exist. */
  async find(merchantId: string, ref: TradeRef): Promise<TradeRow> {
    let row: TradeRow | undefined;
    if (ref.tradeNo) row = await this.steps.load(ref.tradeNo);
    else if (ref.outTradeNo) row = await this.byOutTradeNo(merchantId, ref.outTradeNo);
    else throw new TradeError('INVALID_PARAMETER', 'trade_no or out_trade_no is required');
    if (!row || row.merchant_id !== merchantId) throw notExist();
    if (ref.tradeNo && ref.outTradeNo && row.out_trade_no !== ref.outTradeNo) throw notExist();
    return row;
  }

  /** The escrow goes to the seller: posted with the fee in one chain. */
  async settle(row: TradeRow): Promise<Trade> {
    return toTrade((await this.steps.run(row, { kind: 'settle' }))!);
  }

  /** Applies a change that moves no money; a row changed meanwhile is told to retry. */
  async commitOrRetry(row: TradeRow, change: Change): Promise<Trade> {
    const after = await this.steps.commit(row, change);
    if (!after) throw busy();
    return toTrade(after);
  }

  /** Closes an unpaid trade now. */
  closeUnpaid(row: TradeRow): Promise<Trade> {
    return this.commitOrRetry(row, closing(BigInt(this.clock.now())));
  }
}

/** The change that closes an unpaid trade at `atMs`. */
export function closing(atMs: bigint): Change {
  return { event: 'close', set: { closed_at: atMs } };
}

export const notExist = () => new TradeError('TRADE_NOT_EXIST', 'the trade does not exist');
export const busy = () => new TradeError('SYSTEM_ERROR', 'the trade is being changed by another request; retry');
export const statusError = (row: TradeRow, why: string) => new TradeError('TRADE_STATUS_ERROR', `${why} (trade is ${row.status})`);
