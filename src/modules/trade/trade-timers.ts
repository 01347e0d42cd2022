// The trade's background work, run by a periodic job: resumes steps a crash cut short, closes
// unpaid trades at their timeout, settles escrows the buyer did not confirm in time, finishes
// trades past their refund window, refunds escrows the seller never shipped (the ship-by policy),
// and finishes card fundings and payouts the bank left open.
import type { SqlParam } from '../../store/sql.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import type { CardFundings } from './trade-card-funding.ts';
import { closing, type TradeCore } from './trade-core.ts';
import { TradeError } from './trade-errors.ts';
import { UNSHIPPED_REFUND_REQUEST } from './trade-escrow.ts';
import type { TradePayments } from './trade-payments.ts';
import type { TradeDisputes } from './trade-disputes.ts';
import type { TradeRefunds } from './trade-refunds.ts';
import type { TradeStatus } from './trade-states.ts';
import { STALE_OPERATION_MS, UNSHIPPED_REFUND_MS } from './trade-timeouts.ts';
import type { TradeRow } from './trade-types.ts';

const TIMER_BATCH = 100;
/** Unshipped escrow trades, except those whose dispute waits for the operator (who decides them). */
const UNSHIPPED = "status = 'WAIT_SELLER_SEND_GOODS' AND trade_no NOT IN (SELECT trade_no FROM trade_disputes WHERE status IN ('open', 'answered'))";

/** The trade columns that hold a due time. */
type DueColumn = 'timeout_at' | 'confirm_due_at' | 'finish_due_at';

export class TradeTimers {
  constructor(
    private readonly core: TradeCore,
    private readonly fundings: CardFundings,
    private readonly payments: TradePayments,
    private readonly refunds: TradeRefunds,
    private readonly disputes: TradeDisputes,
  ) {}

  /** Resumes cut-short steps, closes unpaid trades, auto-confirms, finishes; returns how many moved. */
  async run(): Promise<number> {
    const now = BigInt(this.core.clock.now());
    const steps = this.core.steps;
    let moved = 0;
    // Taking the turn is enough: it finishes the step left in flight.
    moved += await this.sweep('op_at IS NOT NULL AND op_at <= ?', [now - BigInt(STALE_OPERATION_MS)], async () => true);
    moved += await this.sweepDue('WAIT_BUYER_PAY', 'timeout_at', now, async (row) => (await steps.commit(row, closing(now))) !== undefined);
    moved += await this.sweepDue('WAIT_BUYER_CONFIRM_GOODS', 'confirm_due_at', now, async (row) => {
      await this.core.settle(row);
      return true;
    });
    moved += await this.sweepDue('TRADE_SUCCESS', 'finish_due_at', now, async (row) => (await steps.commit(row, { event: 'finish' })) !== undefined);
    moved += await this.sweep(`${UNSHIPPED} AND paid_at <= ?`, [now - BigInt(UNSHIPPED_REFUND_MS)], async (row) => {
      if (row.status !== 'WAIT_SELLER_SEND_GOODS' || BigInt(row.paid_at ?? now) > now - BigInt(UNSHIPPED_REFUND_MS)) return false;
      // A dispute opened since the sweep's query is the operator's to decide.
      if (await this.disputes.isOpen(row.trade_no)) return false;
      await this.refunds.refundRest(row, UNSHIPPED_REFUND_REQUEST, 'not shipped in time: refunded by the ship-by policy');
      return true;
    });
    moved += await this.resolveCardFundings(Number(now));
    moved += await this.payOutRefunds();
    return moved;
  }

  /** When `run` next has a trade to move (epoch ms), or null: the sandbox clock jumps to it. Mirrors the sweeps above. */
  async nextDue(): Promise<number | null> {
    const row = await this.core.db.get<{ due: bigint | null }>(
      `SELECT min(due) AS due FROM (
         SELECT min(timeout_at) AS due FROM trades WHERE status = 'WAIT_BUYER_PAY'
         UNION ALL SELECT min(confirm_due_at) FROM trades WHERE status = 'WAIT_BUYER_CONFIRM_GOODS'
         UNION ALL SELECT min(finish_due_at) FROM trades WHERE status = 'TRADE_SUCCESS'
         UNION ALL SELECT min(paid_at) + ? FROM trades WHERE ${UNSHIPPED}
         UNION ALL SELECT min(op_at) + ? FROM trades WHERE op_at IS NOT NULL
       ) AS dues`,
      [BigInt(UNSHIPPED_REFUND_MS), BigInt(STALE_OPERATION_MS)],
    );
    return row?.due == null ? null : Number(row.due);
  }

  /** Card fundings whose bank answer was unknown: finishes those the bank has answered since. */
  private async resolveCardFundings(nowMs: number): Promise<number> {
    let moved = 0;
    for (const due of await this.fundings.due(nowMs - STALE_OPERATION_MS, TIMER_BATCH)) {
      try {
        const after = await this.core.locked(due.trade_no, async (row) => {
          const f = await this.fundings.find(due.trade_no, due.buyer_user_id, due.request_id);
          return this.payments.driveFunding(row, f!);
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
    const due = await this.fundings.payoutsDue(TIMER_BATCH);
    for (const refund of due) await this.core.locked(refund.trade_no, (row) => this.fundings.payOut(refund, row.buyer_user_id!));
    return due.length;
  }

  /** Runs `act` on each trade in `status` whose `column` is due, if it still is once its turn comes. */
  private sweepDue(status: TradeStatus, column: DueColumn, now: bigint, act: (row: TradeRow) => Promise<boolean>): Promise<number> {
    return this.sweep(`status = '${status}' AND ${column} <= ?`, [now], async (row) => {
      const dueAt = row[column];
      if (row.status !== status || dueAt === null || BigInt(dueAt) > now) return false;
      return act(row);
    });
  }

  /** Runs `fn` on each due trade (re-read under its lock), in batches until none is due. */
  private async sweep(where: string, params: SqlParam[], fn: (row: TradeRow) => Promise<boolean>): Promise<number> {
    let moved = 0;
    const seen = new Set<string>();
    for (;;) {
      const due = await this.core.db.all<{ trade_no: string }>(`SELECT trade_no FROM trades WHERE ${where} ORDER BY trade_no LIMIT ?`, [
        ...params,
        TIMER_BATCH,
      ]);
      const fresh = due.filter((r) => !seen.has(r.trade_no));
      if (fresh.length === 0) return moved;
      for (const { trade_no } of fresh) {
        seen.add(trade_no);
        try {
          if (await this.core.locked(trade_no, fn)) moved += 1;
        } catch (error) {
          if (!(error instanceof TradeError)) throw error;
        }
      }
    }
  }
}
