// Wire shapes of the return-shipping insurance routes (fixed by spec/credit.md). Amounts are decimal strings.
import { z } from 'zod';

export const QuoteOutput = z.object({ premium: z.string(), payout: z.string() });

/** What `{"return_insurance": true}` on a trade payment did. */
export const PaymentInsuranceOutput = z.object({
  status: z.enum(['bought', 'not_bought']),
  policy_id: z.string().optional(),
  premium: z.string().optional(),
  payout: z.string().optional(),
  reason: z.string().optional(),
});

export const PoliciesOutput = z.object({
  policies: z.array(
    z.object({
      policy_id: z.string(),
      trade_no: z.string(),
      premium: z.string(),
      payout: z.string(),
      status: z.enum(['active', 'claimed', 'cap_reached']),
      created_at: z.string(),
      claim: z.object({ amount: z.string(), paid_at: z.string() }).nullable(),
    }),
  ),
});

export const ReportQuery = z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD') });
export const ReportOutput = z.object({ date: z.string(), premiums: z.string(), claims: z.string(), loss_ratio: z.string().nullable() });
