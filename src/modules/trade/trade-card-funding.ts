// Card money for trades, through the cards module's channel operations (never a copy of them): a
// trade paid by card first tops the buyer's wallet up from the card (reserve to buyer), and the
// trade is then paid from that money as from the wallet; a refund of a card-paid trade lands in the
// wallet and is then withdrawn to the same card. Each channel request id derives from the trade's
// own numbers, so a retry, a replay or a timer re-drives the same bank operation, never a second one.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { CardPaymentsService, ChannelOperation } from '../cards/card-payments.ts';
import type { CardService } from '../cards/cards.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import type { RefundRow } from './trade-refunds.ts';

/** started: asked the bank; pending: its answer is unknown; paid: the trade was paid with it;
 *  in_wallet: the money arrived but the trade could no longer be paid, so it stays with the buyer;
 *  failed: the bank declined, nothing moved. */
export type FundingStatus = 'started' | 'pending' | 'paid' | 'in_wallet' | 'failed';

export interface FundingRow extends Record<string, unknown> {
  trade_no: string;
  buyer_user_id: string;
  request_id: string;
  card_id: string;
  amount_minor: bigint;
  status: FundingStatus;
  created_at: bigint;
}

/** A done refund still owed to the card it was paid from. */
export interface PayoutRow extends Record<string, unknown>, Pick<RefundRow, 'trade_no' | 'out_request_no' | 'refund_minor'> {
  payout_card_id: string;
}

export class CardFundings {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly channels: { cards: CardService; payments: CardPaymentsService } | undefined,
  ) {}

  find(tradeNo: string, buyerUserId: string, requestId: string): Promise<FundingRow | undefined> {
    return this.db.get<FundingRow>('SELECT * FROM trade_card_fundings WHERE trade_no = ? AND buyer_user_id = ? AND request_id = ?', [
      tradeNo,
      buyerUserId,
      requestId,
    ]);
  }

  /** Records the funding under the buyer's request id, or returns the one recorded; the same id for another card is refused. */
  async start(tradeNo: string, buyerUserId: string, requestId: string, cardId: string, amountMinor: bigint): Promise<FundingRow> {
    // Only the buyer's own bound card: anything else is refused before a funding is recorded.
    await this.channel().cards.bound(buyerUserId, cardId);
    await this.db.run(
      `INSERT INTO trade_card_fundings (trade_no, buyer_user_id, request_id, card_id, amount_minor, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'started', ?) ON CONFLICT (trade_no, buyer_user_id, request_id) DO NOTHING`,
      [tradeNo, buyerUserId, requestId, cardId, amountMinor, BigInt(this.clock.now())],
    );
    return (await this.find(tradeNo, buyerUserId, requestId))!;
  }

  /** Brings the funding's money in from the card, exactly like a top-up; a replay re-reads the same operation. */
  bringIn(f: FundingRow): Promise<ChannelOperation> {
    return this.channel().payments.topup(f.buyer_user_id, {
      cardId: f.card_id,
      amountMinor: f.amount_minor,
      currency: PLATFORM_CURRENCY.code,
      requestId: `trade:${f.trade_no}:${f.request_id}`,
    });
  }

  /** Moves a funding on; a finished one (paid, in_wallet, failed) never changes again. */
  async mark(f: FundingRow, status: FundingStatus): Promise<FundingRow> {
    await this.db.run(
      "UPDATE trade_card_fundings SET status = ? WHERE trade_no = ? AND buyer_user_id = ? AND request_id = ? AND status IN ('started', 'pending')",
      [status, f.trade_no, f.buyer_user_id, f.request_id],
    );
    return (await this.find(f.trade_no, f.buyer_user_id, f.request_id))!;
  }

  /** Fundings still waiting: pending ones, and started ones a crash left before the bank answered. */
  due(staleBeforeMs: number, limit: number): Promise<FundingRow[]> {
    return this.db.all<FundingRow>(
      "SELECT * FROM trade_card_fundings WHERE status = 'pending' OR (status = 'started' AND created_at <= ?) ORDER BY created_at LIMIT ?",
      [BigInt(staleBeforeMs), limit],
    );
  }

  /** Inside the refund's claim: a refund of a card-paid trade is owed back to that card. */
  async owePayout(tx: SqlExecutor, tradeNo: string, outRequestNo: string, cardId: string | null): Promise<void> {
    if (cardId === null) return;
    await tx.run('UPDATE trade_refunds SET payout_card_id = ? WHERE trade_no = ? AND out_request_no = ?', [cardId, tradeNo, outRequestNo]);
  }

  /** Refunds done in the ledger whose card payout has not been made yet. */
  payoutsDue(limit: number): Promise<PayoutRow[]> {
    return this.db.all<PayoutRow>(
      "SELECT * FROM trade_refunds WHERE status = 'done' AND payout_card_id IS NOT NULL AND payout_op_id IS NULL ORDER BY gmt_refund LIMIT ?",
      [limit],
    );
  }

  /**
   * Withdraws a done refund from the buyer's wallet to the card it was paid from, once. A bank
   * that declines or the buyer having spent the money leaves it in the wallet: never lost.
   */
  async payOut(refund: PayoutRow, buyerUserId: string): Promise<void> {
    const requestId = `trade-refund:${refund.trade_no}:${refund.out_request_no}`;
    let opId: string;
    try {
      const input = { cardId: refund.payout_card_id, amountMinor: BigInt(refund.refund_minor), currency: PLATFORM_CURRENCY.code, requestId };
      opId = (await this.channel().payments.withdraw(buyerUserId, input)).opId;
    } catch (error) {
      if (!(error instanceof WalletError)) throw error;
      opId = `refused:${error.code}`;
    }
    await this.db.run('UPDATE trade_refunds SET payout_op_id = ? WHERE trade_no = ? AND out_request_no = ? AND payout_op_id IS NULL', [
      opId,
      refund.trade_no,
      refund.out_request_no,
    ]);
  }

  private channel(): { cards: CardService; payments: CardPaymentsService } {
    if (!this.channels) throw new WalletError('channels_not_configured', 'card payments are not configured on this server');
    return this.channels;
  }
}
