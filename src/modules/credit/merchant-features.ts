// A merchant's features from the platform's own data, through the other modules' services: a year of
// its trades and refunds from the trade service (months active, monthly sales, trend, volatility,
// refund rate, repeat-buyer share), its settlement balance from the ledger, and its repayment record
// from credit's own loans. Disputes are not exposed by the trade service yet, so that column is
// missing (the scorecard's missing bin) rather than guessed.
import type { LedgerStore } from '../../store/store.ts';
import { merchantSettlementAccountId } from '../books/chart.ts';
import { shanghaiDate, startOfShanghaiDay } from '../fund/fund-calendar.ts';
import type { Trade } from '../trade/trade.ts';
import type { RepaymentRecords } from './borrower-features.ts';
import { HISTORY_MONTHS } from './simulator/population.ts';
import { type MerchantFeatures, type MerchantMonth, merchantFeatures } from './features/feature-rows.ts';
import { addMonths } from './loans/loan-schedule.ts';

/** What the credit module needs of the trade service: a merchant's activity, and one trade for its buyer. */
export interface TradeActivity {
  activity(merchantId: string, fromMs: number, toMs: number): Promise<{ trades: Trade[]; refunds: { tradeNo: string; gmtRefundMs: number }[] }>;
  getForBuyer(tradeNo: string): Promise<Trade>;
}

export class MerchantFeatureSource {
  constructor(
    private readonly trades: TradeActivity,
    private readonly store: LedgerStore,
    private readonly repayments: RepaymentRecords,
  ) {}

  async merchants(merchantIds: readonly string[], nowMs: number): Promise<Map<string, MerchantFeatures>> {
    const records = await this.repayments(merchantIds);
    const features = new Map<string, MerchantFeatures>();
    for (const merchantId of merchantIds) {
      const months = await this.months(merchantId, nowMs);
      const account = await this.store.getAccount(merchantSettlementAccountId(merchantId));
      const balance = account ? account.creditsPosted - account.debitsPosted : 0n;
      // Yuan as a statistic for the scorecard, not money.
      const computed = merchantFeatures({ months, fundBalance: Number(balance) / 100, repayment: records.get(merchantId) ?? 'none' });
      features.set(merchantId, { ...computed, dispute_rate: '' });
    }
    return features;
  }

  /** The last HISTORY_MONTHS whole Shanghai months, oldest first (the current month is not over yet). */
  private async months(merchantId: string, nowMs: number): Promise<MerchantMonth[]> {
    const thisMonth = `${shanghaiDate(nowMs).slice(0, 7)}-01`;
    const starts = Array.from({ length: HISTORY_MONTHS + 1 }, (_, k) => addMonths(thisMonth, k - HISTORY_MONTHS));
    const fromMs = startOfShanghaiDay(starts[0]);
    const toMs = startOfShanghaiDay(thisMonth);
    const { trades, refunds } = await this.trades.activity(merchantId, fromMs, toMs);
    const monthOf = (ms: number) => `${shanghaiDate(ms).slice(0, 7)}-01`;
    const seenBuyers = new Set<string>();
    const months = new Map(starts.slice(0, -1).map((s) => [s, { sales: 0, orders: 0, refunds: 0, disputes: 0, repeatOrders: 0 }]));
    // A paid trade is a sale even if later refunded: the refund counts on its own.
    const paid = trades.filter((t) => t.paidAtMs !== undefined && t.paidAtMs >= fromMs && t.paidAtMs < toMs);
    for (const t of paid.sort((a, b) => (a.paidAtMs ?? 0) - (b.paidAtMs ?? 0))) {
      const month = months.get(monthOf(t.paidAtMs!));
      if (!month) continue;
      month.sales += Number(t.totalAmountMinor) / 100;
      month.orders++;
      if (t.buyerUserId) {
        if (seenBuyers.has(t.buyerUserId)) month.repeatOrders++;
        seenBuyers.add(t.buyerUserId);
      }
    }
    for (const r of refunds) {
      const month = months.get(monthOf(r.gmtRefundMs));
      if (month) month.refunds++;
    }
    return [...months.values()];
  }
}
