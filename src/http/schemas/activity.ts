// Wire shapes of the wallet's activity (GET /v1/wallet/activity): one line per thing the user did.
import { z } from 'zod';

export const ActivityQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,400}$/, 'must be the `next` of a previous page')
    .optional(),
});

const Counterparty = z.object({
  kind: z.enum(['user', 'card', 'merchant', 'platform']),
  name: z.string().meta({ description: "a user's masked name, a bank's code, a merchant's name" }),
  phone: z.string().optional().meta({ description: "a user's masked phone" }),
  last4: z.string().optional(),
});

export const ActivityOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(['transfer_out', 'transfer_in', 'topup', 'withdrawal', 'payment', 'refund', 'credit', 'debit']),
      direction: z.enum(['in', 'out']),
      amount: z.string().meta({ description: 'a decimal string in the major unit, without sign (see direction)' }),
      currency: z.string(),
      status: z.enum(['completed', 'pending', 'failed', 'reversed']),
      counterparty: Counterparty.nullable(),
      memo: z.string(),
      created_at: z.string().meta({ description: 'ISO 8601, UTC', example: '2025-03-01T08:30:00.000Z' }),
    }),
  ),
  next: z.string().nullable().meta({ description: 'pass as `before` for older lines; null at the oldest' }),
});
