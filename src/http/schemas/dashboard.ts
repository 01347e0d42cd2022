// Wire shapes of the operator's console and dashboard: the merchant list, and the dashboard's
// figures (time series as parallel arrays, amounts as decimal strings with their currency).
import { z } from 'zod';
import { cleanText } from './common.ts';
import { MerchantOutput } from './merchants.ts';

export const MerchantListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: cleanText({ min: 1, max: 64 }).optional().meta({ description: 'the `next` of the previous page' }),
});

export const MerchantListOutput = z.object({
  merchants: z.array(MerchantOutput.omit({ platform_public_key: true }).extend({ created_at: z.number() })),
  next: z.string().nullable(),
});

const Histogram = z
  .object({
    /** Upper bounds of the buckets, the last one '+Inf'. */
    le: z.array(z.string()),
    /** Observations in each bucket (not cumulative). */
    counts: z.array(z.number()),
    count: z.number(),
    sum: z.number(),
  })
  .meta({ description: 'a prom-client histogram since the process started' });

export const DashboardOutput = z.object({
  generated_at: z.number(),
  activity: z
    .object({
      minute_starts: z.array(z.number()),
      payments: z.array(z.number()),
      transfers: z.array(z.number()),
      packets_sent: z.array(z.number()),
      packets_opened: z.array(z.number()),
      packets_refunded: z.array(z.number()),
      counting_since: z.number(),
    })
    .meta({
      description:
        'payments (trades), wallet transfers, and red packets sent, opened (shares taken) and refunded, per minute over the last hour, as this process saw them',
    }),
  channels: z.array(z.object({ bank: z.string(), success_rate: z.number(), samples: z.number(), fee_bps: z.number() })),
  ledger: z.object({ batch_events: Histogram, commit_seconds: Histogram }),
  totals: z.array(
    z.object({
      currency: z.string(),
      wallets: z.string(),
      wallets_held: z.string(),
      reserves: z.string(),
      open_suspense: z.string(),
      difference: z.string(),
      balanced: z.boolean(),
    }),
  ),
  bills: z
    .object({
      date: z.string(),
      billers: z.array(z.object({ charge_inst: z.string(), name: z.string(), name_en: z.string(), payments: z.number(), collections: z.string() })),
    })
    .meta({ description: "today's (Asia/Shanghai) bill collections per biller, payments the billers confirmed" }),
  insurance: z
    .object({ date: z.string(), premiums: z.string(), claims: z.string(), loss_ratio: z.string().nullable() })
    .meta({ description: "today's return-shipping insurance premiums, claims and loss ratio" }),
  funds: z
    .array(
      z.object({
        fund_id: z.string(),
        name: z.string(),
        aum: z.string(),
        income_date: z.string().nullable(),
        income_paid: z.string(),
        holders_paid: z.number(),
      }),
    )
    .meta({ description: "each money-market fund's assets under management (CNY) and the income paid (shares) for its latest accrued day" }),
});
