// The features the platform's scorecard reads, computed from a borrower's history by pure functions:
// the portfolio simulator and the platform's own data go through the same arithmetic, so a model
// trained on one scores the other. Amounts here are statistics, not money: they are plain numbers.

/** One calendar month of a merchant's trade, oldest first. */
export interface MerchantMonth {
  /** Sales in the month, in yuan. */
  readonly sales: number;
  readonly orders: number;
  readonly refunds: number;
  readonly disputes: number;
  /** Orders from buyers who had bought from the merchant before. */
  readonly repeatOrders: number;
}

export type RepaymentRecord = 'none' | 'clean' | 'late';

export interface MerchantHistory {
  readonly months: readonly MerchantMonth[];
  readonly fundBalance: number;
  readonly repayment: RepaymentRecord;
}

export const MERCHANT_FEATURES = [
  'months_active',
  'monthly_sales',
  'sales_trend',
  'sales_volatility',
  'refund_rate',
  'dispute_rate',
  'repeat_buyer_share',
  'fund_balance',
  'repayment_record',
] as const;
export type MerchantFeatures = Record<(typeof MERCHANT_FEATURES)[number], string>;

export function merchantFeatures(history: MerchantHistory): MerchantFeatures {
  const active = history.months.filter((m) => m.orders > 0 || m.sales > 0);
  const sales = history.months.map((m) => m.sales);
  const orders = sum(history.months.map((m) => m.orders));
  const mean = active.length === 0 ? 0 : sum(sales) / history.months.length;
  return {
    months_active: String(active.length),
    monthly_sales: mean.toFixed(2),
    sales_trend: mean === 0 ? '' : (slope(sales) / mean).toFixed(4),
    sales_volatility: mean === 0 ? '' : (standardDeviation(sales) / mean).toFixed(4),
    refund_rate: ratio(sum(history.months.map((m) => m.refunds)), orders),
    dispute_rate: ratio(sum(history.months.map((m) => m.disputes)), orders),
    repeat_buyer_share: ratio(sum(history.months.map((m) => m.repeatOrders)), orders),
    fund_balance: history.fundBalance.toFixed(2),
    repayment_record: history.repayment,
  };
}

export interface BuyerHistory {
  readonly accountAgeDays: number;
  readonly level: 'basic' | 'verified' | 'premium';
  readonly payments: number;
  readonly balance: number;
  readonly repayment: RepaymentRecord;
}

export const BUYER_FEATURES = ['account_age_days', 'level', 'payments_count', 'balance', 'repayment_record'] as const;
export type BuyerFeatures = Record<(typeof BUYER_FEATURES)[number], string>;

export function buyerFeatures(history: BuyerHistory): BuyerFeatures {
  return {
    account_age_days: String(history.accountAgeDays),
    level: history.level,
    payments_count: String(history.payments),
    balance: history.balance.toFixed(2),
    repayment_record: history.repayment,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function ratio(part: number, whole: number): string {
  return whole === 0 ? '' : (part / whole).toFixed(4);
}

function standardDeviation(values: readonly number[]): number {
  const mean = sum(values) / values.length;
  return Math.sqrt(sum(values.map((v) => (v - mean) ** 2)) / values.length);
}

/** Least-squares slope of the values against their month index: growth per month. */
function slope(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const meanX = (n - 1) / 2;
  const meanY = sum(values) / n;
  const covariance = sum(values.map((y, x) => (x - meanX) * (y - meanY)));
  const variance = sum(values.map((_, x) => (x - meanX) ** 2));
  return covariance / variance;
}
