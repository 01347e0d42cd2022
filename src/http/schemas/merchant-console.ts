// Wire shapes of the merchant console (owner and staff, logged in) and of merchant applications:
// snake_case fields, money as decimal strings with the currency, times as epoch milliseconds.
import { z } from 'zod';
import { MERCHANT_ROLES } from '../../modules/merchant/merchant-roles.ts';
import { TRADE_STATUSES } from '../../modules/trade/trade-states.ts';
import { cleanText, withCleanText } from './common.ts';
import { Phone } from './identity.ts';
import { PublicKey } from './merchants.ts';
import { DecimalAmount, RequestId } from './wallet.ts';

const Id = cleanText({ min: 1, max: 64 });

export const ConsoleParams = z.object({ merchant_id: Id });
export const ConsoleTradeParams = ConsoleParams.extend({ trade_no: Id });
export const ConsoleNotificationParams = ConsoleParams.extend({ notify_id: Id });
export const ConsoleStaffParams = ConsoleParams.extend({ user_id: Id });
export const ConsoleBillParams = ConsoleParams.extend({ date: cleanText({ max: 32 }).meta({ description: 'yyyy-MM-dd, a calendar day in Asia/Shanghai' }) });

export const ConsoleTradesQuery = z.object({
  status: z.enum(TRADE_STATUSES).optional(),
  from: z.coerce.number().int().min(0).optional().meta({ description: 'created at or after (epoch ms)' }),
  to: z.coerce.number().int().min(0).optional().meta({ description: 'created before (epoch ms)' }),
  out_trade_no: cleanText({ min: 1, max: 64 }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: Id.optional(),
  cursor: z.string().optional().meta({ description: 'the `next_cursor` of the previous page (opaque); anything else is 400 `invalid_cursor`' }),
});

export const AddStaffBody = z.object({ phone: Phone, role: z.enum(MERCHANT_ROLES) });

export const ConsoleRefundBody = z.object({
  amount: DecimalAmount,
  currency: z.literal('CNY'),
  reason: cleanText({ trim: true, min: 1, max: 256 }),
  out_request_no: cleanText({ min: 1, max: 64 }).meta({ description: 'this refund, unique per trade: a replay returns the first result' }),
});

export const DisputeAnswerBody = z.object({
  answer: cleanText({ trim: true, min: 1, max: 2000 }).meta({ description: "the seller's answer with its evidence (waybill, messages, photos' references)" }),
});

export const ConsoleKeyBody = z.object({ public_key: PublicKey });

export const StaffOutput = z.object({ merchant_id: z.string(), user_id: z.string(), role: z.enum(MERCHANT_ROLES), added_at: z.number() });

export const MyMerchantsOutput = z.object({
  merchants: z.array(z.object({ merchant_id: z.string(), name: z.string(), app_id: z.string(), role: z.enum(MERCHANT_ROLES) })),
});

export const BalanceOutput = z.object({ balance: z.string(), available: z.string(), currency: z.string() });

export const SdkConfigOutput = z.object({
  app_id: z.string(),
  gateway: z.string(),
  endpoint: z.string(),
  sign_type: z.literal('RSA2'),
  alipay_public_key: z.string().meta({ description: "Formica's public key: the SDK's alipayPublicKey" }),
  key_rotated: z.boolean().optional(),
});

export const ApplicationBody = z.object({
  name: cleanText({ trim: true, min: 1, max: 128 }),
  credit_code: z.string().regex(/^[0-9A-Z]{18}$/, 'must be an 18-character unified social credit code'),
  contact_name: cleanText({ trim: true, min: 1, max: 64 }),
  public_key: PublicKey,
  notify_url: withCleanText(z.url({ protocol: /^https?$/ }).max(256)).optional(),
});

export const ApplicationParams = z.object({ id: Id });
export const ApplicationsQuery = z.object({ status: z.enum(['pending', 'approved', 'rejected']).default('pending') });

export const DecisionBody = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('approve'), fee_bps: z.number().int().min(0).max(10_000), note: cleanText({ max: 500 }).default('') }),
  z.object({ decision: z.literal('reject'), note: cleanText({ trim: true, min: 1, max: 500 }) }),
]);

export const ApplicationOutput = z.object({
  application_id: z.string(),
  user_id: z.string(),
  name: z.string(),
  credit_code: z.string(),
  contact_name: z.string(),
  status: z.enum(['pending', 'approved', 'rejected']),
  check_result: z.string().meta({ description: '`passed`, or why the automatic business check failed' }),
  merchant_id: z.string().nullable(),
  note: z.string(),
  created_at: z.number(),
  decided_at: z.number().nullable(),
});

export const PayoutAccountBody = z.object({
  card_id: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a card id')
    .meta({ description: "one of the owner's own bound cards" }),
});

export const PayoutAccountOutput = z.object({ card_id: z.string(), last4: z.string(), owner_user_id: z.string(), set_at: z.number() });

export const WithdrawalBody = z.object({ amount: DecimalAmount, currency: z.literal('CNY'), request_id: RequestId });

export const WithdrawalOutput = z.object({
  withdrawal_id: z.string(),
  status: z.enum(['started', 'pending', 'succeeded', 'failed', 'reversed']).meta({ description: '`pending` until the bank answers' }),
  reason: z.string(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  bank: z.string().optional(),
  created_at: z.number().optional(),
});
