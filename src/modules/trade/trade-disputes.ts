// Disputes: the buyer opens one while the platform holds the money, which pauses the confirm
// timer; the merchant may answer; an operator decides, refunding the rest to the buyer or
// releasing the escrow to the seller. One dispute a trade.
import { notExist, statusError, type TradeCore } from './trade-core.ts';
import { TradeError } from './trade-errors.ts';
import type { TradeRefunds } from './trade-refunds.ts';
import { isHeld, type TradeStatus } from './trade-states.ts';
import type { Dispute } from './trade-types.ts';

interface DisputeRow extends Record<string, unknown> {
  trade_no: string;
  buyer_user_id: string;
  merchant_id: string;
  reason: string;
  answer: string | null;
  status: string;
  operator_note: string | null;
  created_at: bigint;
  decided_at: bigint | null;
}

/** The request id of the refund a dispute decided for the buyer makes. */
const DISPUTE_REFUND_REQUEST = 'DISPUTE_REFUND';

export class TradeDisputes {
  constructor(
    private readonly core: TradeCore,
    private readonly refunds: TradeRefunds,
  ) {}

  async open(buyerUserId: string, tradeNo: string, reason: string): Promise<Dispute> {
    return this.core.buyerLocked(buyerUserId, tradeNo, async (row) => {
      const existing = await this.disputeRow(tradeNo);
      if (existing && isUndecided(existing)) return toDispute(existing);
      if (existing) throw statusError(row, 'the trade already had a dispute, decided');
      if (!isHeld(row.status as TradeStatus)) throw statusError(row, 'a dispute is opened while the platform holds the money');
      const now = BigInt(this.core.clock.now());
      await this.core.db.transaction(async (tx) => {
        await tx.run("INSERT INTO trade_disputes (trade_no, buyer_user_id, merchant_id, reason, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)", [
          tradeNo,
          buyerUserId,
          row.merchant_id,
          reason,
          now,
        ]);
        // The open request pauses the confirm timer; what was left resumes if it is released.
        await tx.run('UPDATE trades SET confirm_left_ms = confirm_due_at - ?, confirm_due_at = NULL WHERE trade_no = ? AND confirm_due_at IS NOT NULL', [
          now,
          tradeNo,
        ]);
      });
      return this.current(tradeNo);
    });
  }

  async answer(merchantId: string, tradeNo: string, answer: string): Promise<Dispute> {
    const dispute = await this.disputeRow(tradeNo);
    if (!dispute || dispute.merchant_id !== merchantId) throw notExist();
    if (!isUndecided(dispute)) throw decided();
    await this.core.db.run("UPDATE trade_disputes SET answer = ?, status = 'answered' WHERE trade_no = ? AND status IN ('open', 'answered')", [
      answer,
      tradeNo,
    ]);
    return this.current(tradeNo);
  }

  /** The operator's decision: refund what is left to the buyer, or release the escrow to the seller. */
  async decide(tradeNo: string, decision: 'refund' | 'release', operatorNote: string): Promise<Dispute> {
    return this.core.locked(tradeNo, async (row) => {
      const dispute = await this.disputeRow(tradeNo);
      if (!dispute) throw notExist();
      const done = decision === 'refund' ? 'refunded' : 'released';
      if (dispute.status === done) return toDispute(dispute);
      if (!isUndecided(dispute)) throw decided();
      if (decision === 'refund') {
        await this.refunds.refundRest(row, DISPUTE_REFUND_REQUEST, 'dispute');
      } else if (isHeld(row.status as TradeStatus)) {
        await this.core.settle(row);
      } else if (row.status !== 'TRADE_SUCCESS' && row.status !== 'TRADE_FINISHED') {
        throw statusError(row, 'nothing is held to release');
      }
      await this.core.db.run('UPDATE trade_disputes SET status = ?, decision = ?, operator_note = ?, decided_at = ? WHERE trade_no = ?', [
        done,
        decision,
        operatorNote,
        BigInt(this.core.clock.now()),
        tradeNo,
      ]);
      return this.current(tradeNo);
    });
  }

  /** Whether the trade has a dispute waiting for the operator (its confirm timer is paused). */
  async isOpen(tradeNo: string): Promise<boolean> {
    const d = await this.disputeRow(tradeNo);
    return d !== undefined && isUndecided(d);
  }

  /** The trade's dispute, if it has one. */
  async find(tradeNo: string): Promise<Dispute | undefined> {
    const row = await this.disputeRow(tradeNo);
    return row && toDispute(row);
  }

  private async current(tradeNo: string): Promise<Dispute> {
    return toDispute((await this.disputeRow(tradeNo))!);
  }

  private disputeRow(tradeNo: string): Promise<DisputeRow | undefined> {
    return this.core.db.get<DisputeRow>('SELECT * FROM trade_disputes WHERE trade_no = ?', [tradeNo]);
  }
}

function isUndecided(d: DisputeRow): boolean {
  return d.status === 'open' || d.status === 'answered';
}

function toDispute(r: DisputeRow): Dispute {
  return {
    tradeNo: r.trade_no,
    buyerUserId: r.buyer_user_id,
    merchantId: r.merchant_id,
    reason: r.reason,
    answer: r.answer ?? undefined,
    status: r.status as Dispute['status'],
    operatorNote: r.operator_note ?? undefined,
    createdAtMs: Number(r.created_at),
    decidedAtMs: r.decided_at === null ? undefined : Number(r.decided_at),
  };
}

const decided = () => new TradeError('TRADE_STATUS_ERROR', 'the dispute is decided');
