// The merchant's orders: creating a trade (idempotent on the merchant's out_trade_no), the hosted
// checkout's precreate, the in-store pay by a scanned paycode, and undoing a trade (close, cancel).
import type { Paycodes } from './paycodes.ts';
import { statusError, type TradeCore } from './trade-core.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { TradeError } from './trade-errors.ts';
import type { TradePayments } from './trade-payments.ts';
import type { TradeRefunds } from './trade-refunds.ts';
import { payDeadlineMs } from './trade-timeouts.ts';
import { type MerchantLookup, type ProductCode, type Trade, type TradeRef, type TradeRow, toTrade } from './trade-types.ts';

export interface CreateInput {
  outTradeNo: string;
  subject: string;
  totalAmountMinor: bigint;
  productCode?: ProductCode;
  timeoutExpress?: string;
  /** The merchant's absolute deadline for payment (epoch ms); wins over timeoutExpress. */
  timeExpireMs?: number;
  /** Given back untouched in notifications. */
  passbackParams?: string;
  notifyUrl?: string;
  body?: string;
}

/** An in-store order: no payment timeout or body, and the paycode the till scanned. */
export interface PayInput extends Omit<CreateInput, 'timeoutExpress' | 'timeExpireMs' | 'body'> {
  authCode: string;
}

/** Policy: an in-store payment above 1000.00 yuan waits for the buyer's payment PIN (two factors). */
export const PAYCODE_PIN_ABOVE_MINOR = 100_000n;

/** total_amount: 0.01 to 100000000.00 yuan. */
const MAX_TOTAL_MINOR = 10_000_000_000n;

export class TradeOrders {
  constructor(
    private readonly core: TradeCore,
    private readonly merchants: MerchantLookup,
    private readonly publicBaseUrl: string,
    private readonly paycodes: Paycodes,
    private readonly payments: TradePayments,
    private readonly refunds: TradeRefunds,
  ) {}

  /** Idempotent on (merchant, outTradeNo); the same number with other content is CONTEXT_INCONSISTENT. */
  async create(merchantId: string, input: CreateInput): Promise<Trade> {
    validateCreate(input);
    const productCode = input.productCode ?? 'FAST_INSTANT_TRADE_PAY';
    const existing = await this.core.byOutTradeNo(merchantId, input.outTradeNo);
    if (existing) return sameContent(existing, input, productCode);
    const merchant = await this.merchants.merchant(merchantId);
    if (!merchant) throw new TradeError('INVALID_PARAMETER', `unknown merchant '${merchantId}'`);
    const now = this.core.clock.now();
    const timeoutAt = payDeadlineMs(productCode, input.timeoutExpress, now, input.timeExpireMs);
    const tradeNo = this.core.ids.next('trd');
    await this.core.db.run(
      `INSERT INTO trades (trade_no, merchant_id, out_trade_no, subject, body, total_minor, currency, product_code, status, fee_bps,
         settlement_account_id, notify_url, app_id, timeout_at, created_at, passback_params)
       VALUES (?, ?, ?, ?, ?, ?, 'CNY', ?, 'WAIT_BUYER_PAY', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (merchant_id, out_trade_no) DO NOTHING`,
      [
        tradeNo,
        merchantId,
        input.outTradeNo,
        input.subject,
        input.body ?? '',
        input.totalAmountMinor,
        productCode,
        BigInt(merchant.feeBps),
        merchant.settlementAccountId,
        input.notifyUrl ?? merchant.notifyUrl ?? null,
        merchant.appId ?? null,
        BigInt(timeoutAt),
        BigInt(now),
        input.passbackParams ?? null,
      ],
    );
    // A concurrent create with the same number may have won; it decides.
    return sameContent((await this.core.byOutTradeNo(merchantId, input.outTradeNo))!, input, productCode);
  }

  /** Hosted checkout: the trade plus the URL of its checkout page (what the QR code carries). */
  async precreate(merchantId: string, input: CreateInput): Promise<{ trade: Trade; qrCode: string }> {
    const trade = await this.create(merchantId, input);
    return { trade, qrCode: `${this.publicBaseUrl}/checkout/${trade.tradeNo}` };
  }

  /** In-store: creates the trade and pays it from the wallet of the buyer whose paycode was scanned. */
  async pay(merchantId: string, input: PayInput): Promise<Trade> {
    const trade = await this.create(merchantId, { ...input, productCode: input.productCode ?? 'FAST_INSTANT_TRADE_PAY' });
    if (trade.status === 'TRADE_CLOSED') throw new TradeError('TRADE_HAS_CLOSE', 'the trade is closed');
    // A replay of a paid trade, or of one waiting for its buyer, answers as before.
    if (trade.status !== 'WAIT_BUYER_PAY' || trade.awaitingBuyer) return trade;
    if (trade.totalAmountMinor > PAYCODE_PIN_ABOVE_MINOR) return this.awaitBuyer(trade.tradeNo, await this.paycodes.consume(input.authCode));
    // The code is used up in the payment's own claim: one commit for the code and the money.
    const buyer = await this.paycodes.owner(input.authCode);
    const useCode = (tx: SqlExecutor) => this.paycodes.consumeIn(tx, input.authCode);
    return this.payments.payWithWallet(buyer, trade.tradeNo, `paycode:${input.authCode}`, 'one_factor', useCode);
  }

  /** Hands the trade to the buyer whose paycode was scanned, to confirm with their payment PIN. */
  private async awaitBuyer(tradeNo: string, buyerUserId: string): Promise<Trade> {
    await this.core.db.run("UPDATE trades SET awaiting_buyer_id = ? WHERE trade_no = ? AND status = 'WAIT_BUYER_PAY' AND awaiting_buyer_id IS NULL", [
      buyerUserId,
      tradeNo,
    ]);
    return toTrade(await this.core.reload(tradeNo));
  }

  /** Closes an unpaid trade; closing a closed one answers it again. */
  async close(merchantId: string, ref: TradeRef): Promise<Trade> {
    return this.core.merchantLocked(merchantId, ref, async (row) => {
      if (row.status === 'TRADE_CLOSED') return toTrade(row);
      if (row.status !== 'WAIT_BUYER_PAY') throw statusError(row, 'only an unpaid trade can be closed');
      return this.core.closeUnpaid(row);
    });
  }

  /** Undoes a trade whatever its state: closes it if unpaid, refunds what is left if paid. */
  async cancel(merchantId: string, ref: TradeRef): Promise<Trade & { action: 'close' | 'refund' }> {
    return this.core.merchantLocked(merchantId, ref, async (row) => {
      if (row.status === 'TRADE_CLOSED' && row.paid_at === null) return { ...toTrade(row), action: 'close' as const };
      if (row.status === 'WAIT_BUYER_PAY') return { ...(await this.core.closeUnpaid(row)), action: 'close' as const };
      await this.refunds.refundRest(row, `CANCEL-${row.out_trade_no}`, 'cancel');
      return { ...toTrade(await this.core.reload(row.trade_no)), action: 'refund' as const };
    });
  }
}

function validateCreate(input: CreateInput): void {
  if (!input.outTradeNo || input.outTradeNo.length > 64) throw new TradeError('INVALID_PARAMETER', 'out_trade_no must be 1 to 64 characters');
  if (!input.subject || input.subject.length > 256) throw new TradeError('INVALID_PARAMETER', 'subject must be 1 to 256 characters');
  if (input.totalAmountMinor < 1n || input.totalAmountMinor > MAX_TOTAL_MINOR) {
    throw new TradeError('INVALID_PARAMETER', 'total_amount must be from 0.01 to 100000000.00');
  }
  if (input.productCode !== undefined && input.productCode !== 'FAST_INSTANT_TRADE_PAY' && input.productCode !== 'ESCROW_TRADE_PAY') {
    throw new TradeError('INVALID_PARAMETER', `product_code '${input.productCode}' is not supported`);
  }
}

/** The same out_trade_no must name the same order: subject, amount, product and body. */
function sameContent(row: TradeRow, input: CreateInput, productCode: ProductCode): Trade {
  const same =
    row.subject === input.subject &&
    BigInt(row.total_minor) === input.totalAmountMinor &&
    row.product_code === productCode &&
    row.body === (input.body ?? row.body);
  if (!same) throw new TradeError('CONTEXT_INCONSISTENT', `out_trade_no '${input.outTradeNo}' was used for a different trade`);
  return toTrade(row);
}
