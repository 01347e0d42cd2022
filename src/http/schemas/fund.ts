// Wire shapes of the fund routes (fields fixed by spec/fund.md). Amounts and shares are decimal
// strings; dates are 'YYYY-MM-DD' in Asia/Shanghai; R is CNY per 10,000 shares with 4 decimals.
import { z } from 'zod';
import { CardId } from './cards.ts';
import { cleanText, PageCursorParam } from './common.ts';
import { DecimalAmount, RequestId } from './wallet.ts';

const FundId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,15}$/, 'must be 1-16 lowercase letters, digits, _ or -')
  .meta({ example: 'mmf' });
const DateText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .meta({ example: '2026-03-06' });
const Income = z
  .string()
  .regex(/^\d{1,6}\.\d{4}$/, 'must be a decimal with 4 places like "1.2345"')
  .meta({ example: '0.6543' });
const Percent = z
  .string()
  .nullable()
  .meta({ description: 'the 7-day annualized yield, a percent with 3 decimals; null until 7 days are published', example: '2.345' });

export const FundParams = z.strictObject({ fund_id: FundId });

export const CreateFundBody = z.strictObject({
  fund_id: FundId,
  name: cleanText({ trim: true, min: 1, max: 80 }),
  risk_level: z.number().int().min(1).max(5),
  daily_purchase_cap: DecimalAmount.optional().meta({ description: 'CNY per user per day; none when absent' }),
  manager: cleanText({ trim: true, max: 80 }).optional(),
  custodian: cleanText({ trim: true, max: 80 }).optional(),
});
export const FundOutput = z.object({
  fund_id: z.string(),
  name: z.string(),
  manager: z.string(),
  custodian: z.string(),
  risk_level: z.number(),
  daily_purchase_cap: z.string().nullable(),
});

export const IncomeBody = z.strictObject({ date: DateText, income_per_10k: Income });
export const DailyYieldOutput = z.object({ date: z.string(), income_per_10k: z.string(), seven_day_yield: Percent });
export const AccrualBody = z.strictObject({ date: DateText });
export const AccrualOutput = z.object({ date: z.string(), holders: z.number(), paid: z.string() });
export const HolidaysBody = z.strictObject({ dates: z.array(DateText).max(400) });
export const HolidaysOutput = z.object({ dates: z.array(z.string()) });

export const FundsOutput = z.object({
  funds: z.array(z.object({ fund_id: z.string(), name: z.string(), risk_level: z.number(), income_per_10k: z.string().nullable(), seven_day_yield: Percent })),
});
export const FastRedemptionQuery = z.strictObject({ fund_id: FundId });
export const FastRedemptionOutput = z.object({ fund_id: z.string(), cap: z.string(), left: z.string() });

export const YieldsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });
export const YieldsOutput = z.object({ yields: z.array(DailyYieldOutput) });

export const QuestionnaireOutput = z.object({
  questions: z.array(z.object({ id: z.string(), text: z.string(), options: z.array(z.object({ text: z.string() })) })),
});
export const RiskProfileBody = z.strictObject({ answers: z.array(z.number().int()).max(20).meta({ description: 'one option index per question, in order' }) });
export const RiskProfileOutput = z.object({ risk_tolerance: z.number() });

export const SubscriptionBody = z.strictObject({ fund_id: FundId, amount: DecimalAmount, currency: z.string().regex(/^[A-Z]{3}$/), request_id: RequestId });
export const SubscriptionOutput = z.object({ subscription_id: z.string(), status: z.literal('pending'), confirm_date: z.string() });

export const RedemptionBody = z
  .strictObject({
    fund_id: FundId,
    shares: DecimalAmount,
    mode: z.enum(['fast', 'normal']),
    request_id: RequestId,
    /** A bound card the normal redemption is paid out to on its arrival date; the wallet when absent. */
    card_id: CardId.optional(),
  })
  .refine((b) => b.card_id === undefined || b.mode === 'normal', {
    message: 'only a normal redemption can go to a card; a fast one arrives in the wallet',
    path: ['card_id'],
  });
export const RedemptionOutput = z.object({ redemption_id: z.string(), status: z.enum(['completed', 'pending']), arrives_on: z.string() });

export const RedemptionsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20), before: PageCursorParam });
export const RedemptionsOutput = z.object({
  redemptions: z.array(
    z.object({
      redemption_id: z.string(),
      fund_id: z.string(),
      shares: z.string(),
      mode: z.enum(['fast', 'normal']),
      card_id: z.string().nullable().meta({ description: 'the bound card it is paid out to; null for the wallet' }),
      status: z.enum(['completed', 'pending']),
      arrives_on: z.string(),
      paid_to: z.enum(['wallet', 'card']).nullable().meta({ description: 'once completed: where the money went (a failed card payout stays in the wallet)' }),
      created_at: z.string().meta({ description: 'ISO 8601' }),
    }),
  ),
  next: z.string().nullable().meta({ description: 'pass as `before` for older sales; null at the oldest' }),
});

export const HoldingsOutput = z.object({
  holdings: z.array(
    z.object({ fund_id: z.string(), confirmed_shares: z.string(), pending_shares: z.string(), yesterday_income: z.string(), total_income: z.string() }),
  ),
});

export const SweepBody = z.strictObject({
  fund_id: FundId,
  /** What stays in the wallet; the rest is subscribed each trading day at 14:30. */
  floor: DecimalAmount,
  enabled: z.boolean(),
});
export const SweepOutput = z.object({
  fund_id: z.string().nullable(),
  floor: z.string().nullable(),
  enabled: z.boolean(),
  last_swept_date: z.string().nullable(),
  last_result: z.string().nullable(),
});
