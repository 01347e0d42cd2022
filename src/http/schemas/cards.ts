// Wire shapes of the card routes: binding, confirming, listing (each card with its channels, the
// banks it is bound at), top-ups and withdrawals.
// The card number is accepted on binding only and never appears in any answer.
import { z } from 'zod';
import { cleanText } from './common.ts';
import { Phone } from './identity.ts';
import { DecimalAmount, RequestId } from './wallet.ts';

const Bank = z
  .string()
  .regex(/^[A-Z0-9_]{2,16}$/, 'must be a bank code of 2-16 capitals or digits')
  .meta({ example: 'ICBC' });
export const CardId = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a card id');

export const BindCardBody = z.strictObject({
  bank: Bank,
  card_no: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
  name: cleanText({ trim: true, min: 1, max: 100 }),
  id_no: z.string().regex(/^[0-9]{17}[0-9Xx]$|^[A-Za-z0-9]{6,32}$/, 'must be an identity document number'),
  phone: Phone,
});
export const CardParams = z.strictObject({ id: CardId });
export const ConfirmCardBody = z.strictObject({
  sms_code: z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits'),
  bank: Bank.optional().meta({ description: 'the binding to confirm when the card is being bound at several banks; default: the latest' }),
});

export const CardOutput = z.object({ card_id: z.string(), bank: z.string(), last4: z.string().optional(), status: z.string() });
const ChannelOutput = z.object({ bank: z.string(), status: z.string(), fee_bps: z.number() });
export const CardListOutput = z.object({ cards: z.array(CardOutput.extend({ channels: z.array(ChannelOutput) })) });

export const CardMoneyBody = z.strictObject({
  card_id: CardId,
  amount: DecimalAmount,
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a 3-letter currency code'),
  request_id: RequestId,
});
export const TopupOutput = z.object({ topup_id: z.string(), status: z.string(), reason: z.string().optional(), balance: z.string().optional() });
export const WithdrawalOutput = z.object({
  withdrawal_id: z.string(),
  status: z.string(),
  reason: z.string().optional(),
  balance: z.string().optional(),
});
export const ResolveOutput = z.object({ resolved: z.number(), pending: z.number() });
