// The buyer pays an open trade: from the wallet balance (a balance payment, within the buyer's
// limits) or from a bound card, whose money comes in like a top-up and then pays as from the wallet.
// Idempotent on the buyer's request id, and a trade is paid once.
import type { SqlExecutor, SqlParam } from '../../store/sql.ts';
import type { IdentityService } from '../identity/identity.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { WalletError } from '../wallet/wallet-errors.ts';
import type { CardFundings, FundingRow } from './trade-card-funding.ts';
import { closing, notExist, type TradeCore } from './trade-core.ts';
import { TradeError } from './trade-errors.ts';
import { tradeSpendKey } from './trade-steps.ts';
import { maskPhone, type Trade, type TradeRow, toTrade } from './trade-types.ts';

/** A card payment's answer: the trade, and where the card's money is (started reads as pending). */
export interface CardPayment {
  trade: Trade;
  funding: { cardId: string; status: 'pending' | 'paid' | 'in_wallet' };
}

export class TradePayments {
  constructor(
    private readonly core: TradeCore,
    private readonly identity: IdentityService,
    private readonly wallet: WalletService,
    private readonly fundings: CardFundings,
  ) {}

  /**
   * Pays an open trade from the buyer's wallet; idempotent on requestId, and a trade is paid once.
   * A balance payment: the buyer must be verified and the amount fits the limits, claimed in the
   * same transaction as the step (a payment the ledger refuses gives it back).
   */
  /** `alsoClaim` runs in the payment's claim (a paycode used up with the money, in one commit). */
  async payWithWallet(
    buyerUserId: string,
    tradeNo: string,
    requestId: string,
    factors: 'one_factor' | 'two_factor' = 'one_factor',
    alsoClaim?: (tx: SqlExecutor) => Promise<void>,
  ): Promise<Trade> {
    return this.lockedIfKnown(tradeNo, async (row) => {
      if (paidBy(row, buyerUserId, requestId)) return toTrade(row);
      await this.payableOrThrow(row, factors === 'two_factor');
      const limits = this.wallet.limits;
      const allowed = await limits.payerLimits(buyerUserId, factors);
      const spend = { ...tradeSpendKey(buyerUserId, tradeNo, requestId), amountMinor: BigInt(row.total_minor) };
      return this.payLocked(row, buyerUserId, requestId, { funding_source: 'wallet', funding_card_id: null }, async (tx) => {
        await alsoClaim?.(tx);
        await limits.claim(tx, spend, allowed);
      });
    });
  }

  /**
   * Pays an open trade from one of the buyer's bound cards: the money comes in like a top-up, then
   * pays the trade as from the wallet (not a balance payment: no limits). An unknown bank answer
   * leaves the trade unpaid with the funding pending; the timers (or a replay) finish it later.
   */
  async payWithCard(buyerUserId: string, tradeNo: string, requestId: string, cardId: string): Promise<CardPayment> {
    return this.lockedIfKnown(tradeNo, async (row) => {
      const known = await this.fundings.find(tradeNo, buyerUserId, requestId);
      if (known) return this.driveFunding(row, known, cardId);
      await this.payableOrThrow(row);
      return this.driveFunding(row, await this.fundings.start(tradeNo, buyerUserId, requestId, cardId, BigInt(row.total_minor)), cardId);
    });
  }

  /** Takes a card funding as far as the bank's answer allows. Runs under the trade's lock. */
  async driveFunding(row: TradeRow, f: FundingRow, cardId = f.card_id): Promise<CardPayment> {
    if (f.card_id !== cardId) throw new WalletError('request_id_reused', `request_id '${f.request_id}' was already used to pay with another card`);
    if (f.status === 'paid' || f.status === 'in_wallet') return cardPayment(row, f);
    if (f.status === 'failed') throw cardDeclined('');
    const op = await this.fundings.bringIn(f);
    if (op.status === 'started' || op.status === 'pending') return cardPayment(row, await this.fundings.mark(f, 'pending'));
    if (op.status !== 'succeeded') {
      await this.fundings.mark(f, 'failed');
      throw cardDeclined(op.reason);
    }
    // The money is in the buyer's wallet: it pays the trade if the trade still takes it, else it stays there.
    const current = await this.core.reload(row.trade_no);
    if (paidBy(current, f.buyer_user_id, f.request_id)) return cardPayment(current, await this.fundings.mark(f, 'paid'));
    try {
      await this.payableOrThrow(current);
      const card = { funding_source: 'card', funding_card_id: f.card_id };
      await this.payLocked(current, f.buyer_user_id, f.request_id, card);
      return cardPayment(await this.core.reload(row.trade_no), await this.fundings.mark(f, 'paid'));
    } catch (error) {
      if (!(error instanceof TradeError)) throw error;
      return cardPayment(await this.core.reload(row.trade_no), await this.fundings.mark(f, 'in_wallet'));
    }
  }

  /** As core.locked, but an unknown trade number is refused before it waits for a turn. */
  private async lockedIfKnown<T>(tradeNo: string, fn: (row: TradeRow) => Promise<T>): Promise<T> {
    await this.core.reload(tradeNo);
    return this.core.locked(tradeNo, fn);
  }

  /** Throws unless the trade waits for payment; a trade past its payment timeout is closed first. */
  /**
   * The buyer of an in-store payment waiting for confirmation pays it with the payment PIN (two
   * factors, so the two-factor limits apply). Another user cannot tell it from a missing trade.
   */
  async confirmWithPin(buyerUserId: string, tradeNo: string, pin: string): Promise<Trade> {
    const row = await this.core.reload(tradeNo);
    if (row.awaiting_buyer_id !== buyerUserId) throw notExist();
    if (!(await this.identity.checkPaymentPin(buyerUserId, pin))) throw new WalletError('payment_pin_wrong', 'the payment PIN is wrong');
    return this.payWithWallet(buyerUserId, tradeNo, `paycode-pin:${tradeNo}`, 'two_factor');
  }

  private async payableOrThrow(row: TradeRow, pinConfirmed = false): Promise<void> {
    if (row.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
    if (row.status !== 'WAIT_BUYER_PAY') throw new TradeError('TRADE_HAS_SUCCESS', 'the trade has already been paid');
    if (row.awaiting_buyer_id !== null && !pinConfirmed) throw new TradeError('TRADE_STATUS_ERROR', "this payment waits for the buyer's payment PIN");
    const now = BigInt(this.core.clock.now());
    if (BigInt(row.timeout_at) <= now) {
      await this.core.steps.commit(row, closing(now));
      throw new TradeError('TRADE_HAS_CLOSE', 'the trade closed: its payment timeout passed');
    }
  }

  /** Claims the pay step (with `alsoClaim` in the same transaction) and runs it on the ledger. */
  private async payLocked(
    row: TradeRow,
    buyerUserId: string,
    requestId: string,
    funding: Record<string, SqlParam>,
    alsoClaim?: (tx: SqlExecutor) => Promise<unknown>,
  ): Promise<Trade> {
    const user = await this.identity.requireUser(buyerUserId);
    await this.wallet.openWallet(buyerUserId);
    const set = { buyer_user_id: buyerUserId, buyer_logon_id: maskPhone(user.phone), pay_request_id: requestId, ...funding };
    const claimAlso =
      alsoClaim &&
      (async (tx: SqlExecutor) => {
        await alsoClaim(tx);
        return true;
      });
    return toTrade((await this.core.steps.run(row, { kind: 'pay' }, set, claimAlso))!);
  }
}

/** Paid by this buyer's request: a replay answers the trade as it is. */
function paidBy(row: TradeRow, buyerUserId: string, requestId: string): boolean {
  return row.buyer_user_id === buyerUserId && row.pay_request_id === requestId && row.paid_at !== null;
}

function cardPayment(row: TradeRow, f: FundingRow): CardPayment {
  const status = f.status === 'paid' || f.status === 'in_wallet' ? f.status : 'pending';
  return { trade: toTrade(row), funding: { cardId: f.card_id, status } };
}

function cardDeclined(reason: string): WalletError {
  const why = reason ? ` (${reason})` : '';
  return new WalletError('bank_refused', `the bank declined the card payment${why}; the trade is still unpaid and nothing was taken`, reason ? { reason } : {});
}
