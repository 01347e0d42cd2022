// Wire shapes of the buyer's trade routes and the operator's dispute decision: snake_case fields,
// money as decimal strings with its currency, times as epoch milliseconds.
import { z } from 'zod';
import { PaymentInsuranceOutput } from './insurance.ts';
import { cleanText } from './common.ts';
import { RequestId } from './wallet.ts';

export const TradeParams = z.object({ trade_no: cleanText({ min: 1, max: 64 }) });

export const PayBody = z.object({
  request_id: RequestId,
  /** Pay from this bound card instead of the wallet balance. */
  card_id: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a card id')
    .optional(),
  /** Buy the buyer's return-shipping insurance with the payment (escrow trades). */
  return_insurance: z.boolean().optional(),
  /** "paylater": the buyer's pay-later line funds the payment (billed on next month's statement). */
  funding: z.enum(['wallet', 'paylater']).optional(),
  /** The payment PIN, as the cashier's pad asks for it: checked (and counted toward its lock) before anything moves. */
  payment_pin: z
    .string()
    .regex(/^\d{6}$/, 'must be 6 digits')
    .optional(),
});

export const ConfirmPaymentBody = z.object({ payment_pin: z.string().regex(/^\d{6}$/, 'must be 6 digits') });

export const DisputeBody = z.object({ reason: cleanText({ trim: true, min: 1, max: 500 }) });

export const DecisionBody = z.object({ decision: z.enum(['refund', 'release']), note: cleanText({ max: 500 }).default('') });

export const TradesQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: cleanText({ min: 1, max: 64 }).optional(),
});

export const TradeOutput = z.object({
  trade_no: z.string(),
  out_trade_no: z.string(),
  merchant_id: z.string(),
  subject: z.string(),
  total_amount: z.string(),
  refunded_amount: z.string(),
  currency: z.string(),
  product_code: z.string(),
  trade_status: z.string(),
  created_at: z.number(),
  timeout_at: z.number(),
  paid_at: z.number().nullable(),
  closed_at: z.number().nullable(),
  shipped_at: z.number().nullable(),
  logistics_type: z.string().nullable(),
  waybill_no: z.string().nullable(),
  confirm_due_at: z.number().nullable(),
  extended: z.boolean(),
  /** Where the payment came from once paid: `wallet` or `card`. */
  funding_source: z.string().nullable(),
});

/** A payment's answer: the trade, and for a card payment where the card's money is. */
export const PayOutput = TradeOutput.extend({
  funding: z.object({ source: z.literal('card'), card_id: z.string(), status: z.enum(['pending', 'paid', 'in_wallet']) }).optional(),
  return_insurance: PaymentInsuranceOutput.optional(),
});

export const TradesOutput = z.object({ trades: z.array(TradeOutput), next: z.string().nullable() });

export const DisputeOutput = z.object({
  trade_no: z.string(),
  status: z.string(),
  reason: z.string(),
  answer: z.string().nullable(),
  operator_note: z.string().nullable(),
  created_at: z.number(),
  decided_at: z.number().nullable(),
});

export const PaycodeOutput = z.object({ auth_code: z.string(), expires_at: z.number() });
