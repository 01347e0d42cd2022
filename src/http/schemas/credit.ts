// Wire shapes of the credit routes (fields fixed by spec/credit.md "Routes"). Amounts are decimal
// strings; dates 'YYYY-MM-DD' in Asia/Shanghai.
import { z } from 'zod';
import { cleanText } from './common.ts';
import { Currency, DecimalAmount, RequestId } from './wallet.ts';

const MerchantId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');

export const CreditScopeQuery = z.strictObject({ merchant_id: MerchantId.optional() });

export const ScoreOutput = z.object({
  score: z.number().int(),
  band: z.enum(['none', 'small', 'standard', 'best']),
  model_version: z.string(),
  factors: z.array(z.object({ name: z.string(), effect: z.number().int(), explanation: z.string(), explanation_zh: z.string() })),
});

export const LineOutput = z.object({ limit: z.string(), used: z.string(), available: z.string(), daily_rate: z.string() });

const SalesSharePercent = z
  .number()
  .int()
  .min(0)
  .max(100)
  .meta({ description: "a merchant loan: the whole percent of each day's settlements that repays it (the merchant's consent; 0: none)" });

export const LoanBody = z.strictObject({
  merchant_id: MerchantId.optional(),
  product: z.enum(['short', 'instalment']),
  amount: DecimalAmount,
  currency: Currency,
  days: z.number().int().optional().meta({ description: 'short loans: 5 to 45' }),
  months: z.number().int().optional().meta({ description: 'instalment loans: 3, 6, 9 or 12' }),
  repayment: z.enum(['equal_principal', 'annuity']).optional(),
  sales_share_percent: SalesSharePercent.optional(),
  request_id: RequestId,
});

const Instalment = z.object({ due_date: z.string(), principal: z.string(), interest: z.string() });

export const NewLoanOutput = z.object({ loan_id: z.string(), status: z.literal('active'), disbursed_at: z.string(), schedule: z.array(Instalment) });

export const LoanParams = z.strictObject({ loan_id: cleanText({ min: 1, max: 80 }) });

export const LoanOutput = z.object({
  loan_id: z.string(),
  status: z.enum(['active', 'overdue', 'repaid', 'written_off']),
  outstanding_principal: z.string(),
  accrued_interest: z.string(),
  penalty_interest: z.string(),
  days_past_due: z.number().int(),
  schedule: z.array(Instalment),
  sales_share_percent: z.number().int(),
});

export const SalesShareBody = z.strictObject({ percent: SalesSharePercent });

export const RepaymentBody = z.strictObject({ amount: DecimalAmount, request_id: RequestId });

const Applied = z.object({
  penalty_interest: z.string(),
  overdue_interest: z.string(),
  overdue_principal: z.string(),
  interest: z.string(),
  principal: z.string(),
});

export const RepaymentQuoteQuery = z.strictObject({ amount: DecimalAmount });

export const RepaymentQuoteOutput = z.object({
  applied: Applied,
  early_repayment_fee: z.string().meta({ description: 'on the principal repaid before it falls due, paid on top of the amount' }),
  total: z.string(),
});

export const RepaymentOutput = z.object({
  applied: Applied,
  early_repayment_fee: z.string(),
  outstanding_principal: z.string(),
});

const Buckets = z.object({ current: z.string(), '1-30': z.string(), '31-60': z.string(), '61-90': z.string(), '90+': z.string() });

export const PortfolioOutput = z.object({
  outstanding: z.string(),
  disbursed: z.string(),
  repaid: z.string(),
  npl_ratio: z.string(),
  buckets: Buckets,
  provisions: z.string(),
  written_off: z.string(),
  provisions_by_bucket: Buckets,
  paylater: z.object({ outstanding: z.string(), overdue: z.string() }),
  history: z
    .array(z.object({ date: z.string(), outstanding: z.string(), npl_ratio: z.string(), provisions: z.string(), written_off: z.string(), buckets: Buckets }))
    .meta({ description: 'one entry a day the servicing ran, oldest first (at most `days`)' }),
});

export const PortfolioQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(90) });

export const QuoteQuery = z.strictObject({
  product: z.enum(['short', 'instalment']),
  amount: DecimalAmount,
  days: z.coerce.number().int().optional(),
  months: z.coerce.number().int().optional(),
  repayment: z.enum(['equal_principal', 'annuity']).optional(),
});

export const QuoteOutput = z.object({ schedule: z.array(Instalment), total_interest: z.string() });

export const InstalmentQuoteQuery = z.strictObject({ months: z.coerce.number().int() });

export const InstalmentQuoteOutput = z.object({
  months: z.number().int(),
  fee: z.string(),
  instalments: z.array(z.object({ due_date: z.string(), principal: z.string(), fee: z.string() })),
});

export const PayLaterOutput = z.object({ limit: z.string(), available: z.string(), status: z.enum(['active', 'suspended']) });

export const MonthParams = z.strictObject({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM') });

export const StatementOutput = z.object({
  month: z.string(),
  statement_date: z.string(),
  due_date: z.string(),
  total: z.string(),
  minimum: z.string(),
  paid: z.string(),
  status: z.enum(['pending', 'issued', 'paid', 'revolving', 'instalments', 'overdue']),
  interest: z.string(),
  fee: z.string(),
  outstanding: z.string(),
  instalments: z.array(z.object({ due_date: z.string(), principal: z.string(), fee: z.string() })),
});

export const InstalmentBody = z.strictObject({ months: z.union([z.literal(3), z.literal(6), z.literal(9), z.literal(12)]) });
