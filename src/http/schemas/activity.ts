// Wire shapes of the wallet's activity (GET /v1/wallet/activity): one line per thing the user did.
import { z } from 'zod';
import { ACTIVITY_KINDS } from '../../modules/wallet/activity.ts';
import { PageCursorParam } from './common.ts';

/** The filters a page and an export share: a China-time month and a kind. */
const Filters = {
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM')
    .optional()
    .meta({ description: 'a calendar month in China time', example: '2026-03' }),
  kind: z.enum(ACTIVITY_KINDS).optional(),
};

export const ActivityExportQuery = z.strictObject(Filters);

export const ActivityParams = z.object({
  id: z
    .string()
    .regex(/^[a-z]{2}:[\x21-\x7e]{1,300}$/, 'must be the id of an activity line')
    .meta({ description: "a line's id, as the list gives it" }),
});

export const ActivityQuery = z.strictObject({
  ...Filters,
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: PageCursorParam,
});

const Counterparty = z.object({
  kind: z.enum(['user', 'card', 'merchant', 'platform']),
  name: z.string().meta({ description: "a user's masked name, a bank's code, a merchant's name" }),
  phone: z.string().optional().meta({ description: "a user's masked phone" }),
  last4: z.string().optional(),
});

export const ActivityItemOutput = z.object({
  id: z.string(),
  kind: z.enum(ACTIVITY_KINDS),
  direction: z.enum(['in', 'out']),
  amount: z.string().meta({ description: 'a decimal string in the major unit, without sign (see direction)' }),
  currency: z.string(),
  status: z.enum(['completed', 'pending', 'failed', 'reversed']),
  counterparty: Counterparty.nullable(),
  memo: z.string(),
  created_at: z.string().meta({ description: 'ISO 8601, UTC', example: '2025-03-01T08:30:00.000Z' }),
});

export const ActivityOutput = z.object({
  items: z.array(ActivityItemOutput),
  next: z.string().nullable().meta({ description: 'pass as `before` for older lines; null at the oldest' }),
});
