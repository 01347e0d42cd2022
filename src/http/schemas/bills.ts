// Wire shapes of the bill routes (fixed by spec/bills.md). Amounts are decimal strings.
import { z } from 'zod';
import { BILL_KINDS } from '../../modules/bills/directory.ts';
import { cleanText } from './common.ts';
import { Currency, DecimalAmount, RequestId } from './wallet.ts';

const ChargeInst = z.string().regex(/^[A-Z0-9_]{2,32}$/, 'must be a biller code (charge_inst)');
const BillKey = z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'must be the account number with the biller');
const Amount = DecimalAmount.meta({ description: 'decimal CNY, 0.01 to 100000000.00', example: '128.50' });

export const BillersQuery = z.object({ city: cleanText({ max: 32 }).optional(), kind: z.enum(BILL_KINDS).optional() });
export const BillersOutput = z.object({
  billers: z.array(z.object({ charge_inst: z.string(), name: z.string(), name_en: z.string(), kind: z.string(), city: z.string(), city_en: z.string() })),
});

export const BillQuery = z.object({ charge_inst: ChargeInst, bill_key: BillKey });
export const BillOutput = z.object({ charge_inst: z.string(), bill_key: z.string(), holder_masked: z.string(), amount_due: z.string(), due_date: z.string() });

export const PayBody = z.strictObject({
  charge_inst: ChargeInst,
  bill_key: BillKey,
  amount: Amount,
  currency: Currency,
  funding: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/)
    .optional()
    .meta({ description: '"balance" (the default) or the id of a bound card' }),
  request_id: RequestId,
});
export const PayOutput = z.object({ payment_id: z.string(), status: z.enum(['pending', 'completed', 'refunded']) });

export const PaymentParams = z.object({ payment_id: z.string().regex(/^bpay_[A-Za-z0-9]{26}$/, 'must be a bill payment id (bpay_...)') });
const ReceiptOutput = z.object({
  biller: z.string(),
  charge_inst: z.string(),
  bill_key: z.string(),
  amount: z.string(),
  currency: z.string(),
  paid_at: z.string(),
  payment_id: z.string(),
});
export const PaymentOutput = z.object({
  payment_id: z.string(),
  status: z.enum(['pending', 'completed', 'refunded', 'failed']),
  charge_inst: z.string(),
  bill_key: z.string(),
  amount: z.string(),
  currency: z.string(),
  funding: z.string(),
  reason: z.string().optional(),
  created_at: z.string(),
  receipt: ReceiptOutput.optional(),
});

export const AutopayBody = z.strictObject({
  charge_inst: ChargeInst,
  bill_key: BillKey,
  monthly_cap: Amount,
  day_of_month: z.number().int(),
  request_id: RequestId.optional(),
});
export const AutopayCreated = z.object({ autopay_id: z.string() });
export const AutopayParams = z.object({ autopay_id: z.string().regex(/^bap_[A-Za-z0-9]{26}$/, 'must be an autopay id (bap_...)') });
export const AutopaysOutput = z.object({
  autopays: z.array(
    z.object({
      autopay_id: z.string(),
      charge_inst: z.string(),
      bill_key: z.string(),
      monthly_cap: z.string(),
      day_of_month: z.number(),
      status: z.string(),
      next_run_at: z.string(),
    }),
  ),
  notices: z.array(z.object({ autopay_id: z.string(), month: z.string(), kind: z.string(), amount_due: z.string(), monthly_cap: z.string() })),
});

/** A day that exists: '2026-02-30' has the shape but no calendar day. */
function isCalendarDay(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return /^\d{4}-\d{2}-\d{2}$/.test(text) && !Number.isNaN(ms) && new Date(ms).toISOString().startsWith(text);
}
export const SettlementParams = z.object({ date: z.string().refine(isCalendarDay, 'must be a calendar day YYYY-MM-DD') });
export const SettlementsOutput = z.object({
  date: z.string(),
  settlements: z.array(
    z.object({ charge_inst: z.string(), date: z.string(), payments: z.number(), collections: z.string(), fee: z.string(), paid_out: z.string() }),
  ),
});
