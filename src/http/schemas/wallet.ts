// Wire shapes of the wallet and adjustment routes (field names fixed by spec/wallet.md).
// Amounts are decimal strings of the major unit; parsing to minor units happens in the route.
import { z } from 'zod';
import { cleanText, withCleanText } from './common.ts';
import { Phone, UserId } from './identity.ts';

/** Parsed strictly in the route (no surrounding space), so a refusal names what is wrong with it. */
export const DecimalAmount = withCleanText(z.string().max(40)).meta({ example: '100.00', description: 'a decimal string in the major unit' });
export const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code')
  .meta({ example: 'CNY' });
export const RequestId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -');

export const TransferBody = z.strictObject({
  to_phone: Phone,
  amount: DecimalAmount,
  currency: Currency,
  request_id: RequestId,
  memo: cleanText({ max: 140 }).optional(),
  payment_pin: z
    .string()
    .regex(/^\d{6}$/, 'must be 6 digits')
    .optional()
    .meta({ description: 'second factor: raises the daily limit' }),
});
export const TransferOutput = z.object({
  transfer_id: z.string(),
  request_id: z.string(),
  to_user_id: z.string(),
  amount: z.string(),
  currency: z.string(),
  memo: z.string(),
  status: z.string(),
});

const LimitOutput = z.object({ name: z.string(), period: z.string(), limit: z.string(), used: z.string(), left: z.string() });
export const WalletOutput = z.object({
  balance: z.string(),
  available: z.string(),
  incoming_pending: z.string(),
  currency: z.string(),
  level: z.string(),
  limits: z.array(LimitOutput),
});

export const StatementQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z
    .string()
    .regex(/^\d{1,20}$/, 'must be a ledger timestamp')
    .optional(),
});
export const StatementOutput = z.object({
  lines: z.array(
    z.object({
      transfer_id: z.string(),
      kind: z.string(),
      direction: z.enum(['in', 'out']),
      amount: z.string(),
      currency: z.string(),
      state: z.string(),
      memo: z.string(),
      timestamp: z.string(),
    }),
  ),
  next: z.string().nullable(),
});

export const AdjustmentBody = z.strictObject({
  user_id: UserId,
  amount: DecimalAmount,
  currency: Currency,
  direction: z.enum(['credit', 'debit']),
  reason: cleanText({ trim: true, min: 1, max: 200 }),
  request_id: RequestId,
});
export const AdjustmentOutput = z.object({ request_id: z.string(), transfer_id: z.string(), status: z.string() });

/** Refusals may carry fields beyond code and message (which limit, how much is used and left). */
export const RefusalOutput = z.looseObject({ code: z.string(), message: z.string() });
