// Shapes of the merchant routes: registration and key rotation (operator), and what merchants read.
import { z } from 'zod';
import { cleanText, withCleanText } from './common.ts';

/** PEM or Base64: printable ASCII and line breaks only. */
export const PublicKey = z
  .string()
  .regex(/^[\x20-\x7e\r\n]{1,8192}$/, 'must be a PEM or Base64 public key')
  .meta({ description: "the merchant's RSA public key: PEM, or the bare Base64 a key tool prints" });

export const CreateMerchantBody = z.object({
  name: cleanText({ trim: true, min: 1, max: 128 }),
  public_key: PublicKey,
  fee_bps: z.number().int().min(0).max(10_000).meta({ description: 'platform fee in basis points (60 = 0.6%)' }),
  notify_url: withCleanText(z.url({ protocol: /^https?$/ }).max(256))
    .optional()
    .meta({ description: 'default notify_url for trades that name none' }),
  owner_phone: z
    .string()
    .regex(/^1[3-9]\d{9}$/, 'must be a mainland mobile number of 11 digits')
    .optional()
    .meta({ description: "the owner's phone: a registered user, who runs the merchant console" }),
});

export const MerchantOutput = z.object({
  merchant_id: z.string(),
  app_id: z.string(),
  name: z.string(),
  fee_bps: z.number(),
  notify_url: z.string().optional(),
  platform_public_key: z.string().meta({ description: "Formica's public key (PEM): the SDK's alipayPublicKey" }),
});

export const RotateKeyBody = z.object({ public_key: PublicKey });

export const MerchantParams = z.object({ id: cleanText({ min: 1, max: 64 }) });

export const NotificationParams = z.object({ notify_id: cleanText({ min: 1, max: 64 }) });

export const BillLinkQuery = z.object({
  app_id: cleanText({ max: 32 }).optional(),
  bill_date: cleanText({ max: 32 }).optional(),
  expires: cleanText({ max: 32 }).optional(),
  sign: cleanText({ max: 1024 }).optional(),
});

export const BillParams = z.object({ date: cleanText({ max: 32 }).meta({ description: 'yyyy-MM-dd, a calendar day in Asia/Shanghai' }) });
