// Shapes of the merchant routes: registration and key rotation (operator), and what merchants read.
import { z } from 'zod';

const PublicKey = z.string().min(1).max(8192).meta({ description: "the merchant's RSA public key: PEM, or the bare Base64 a key tool prints" });

export const CreateMerchantBody = z.object({
  name: z.string().trim().min(1).max(128),
  public_key: PublicKey,
  fee_bps: z.number().int().min(0).max(10_000).meta({ description: 'platform fee in basis points (60 = 0.6%)' }),
  notify_url: z.url({ protocol: /^https?$/ }).max(256).optional().meta({ description: 'default notify_url for trades that name none' }),
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

export const MerchantParams = z.object({ id: z.string().min(1).max(64) });

export const BillParams = z.object({ date: z.string().meta({ description: 'yyyy-MM-dd, a calendar day in Asia/Shanghai' }) });
