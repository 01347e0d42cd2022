// Wire shapes of the campaign routes (fixed by spec/social.md). Amounts are decimal strings; card
// kinds are the five Chinese names.
import { z } from 'zod';
import { CARD_KINDS } from '../../modules/campaign/cards.ts';
import { cleanText } from './common.ts';
import { Phone } from './identity.ts';
import { Currency, DecimalAmount, RequestId } from './wallet.ts';

const CampaignId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'must be 1-32 lowercase letters, digits, _ or -')
  .meta({ example: 'wufu-2027' });
export const CampaignParams = z.strictObject({ id: CampaignId });
export const Card = z.enum(CARD_KINDS);

const Weight = z.number().int().min(0).max(1_000_000);
const CardOdds = z.strictObject(Object.fromEntries(CARD_KINDS.map((k) => [k, Weight])) as Record<(typeof CARD_KINDS)[number], typeof Weight>).meta({
  description: 'a whole weight per card kind: its chance is its weight over the total (give the scarce kind a small one)',
});

export const CreateCampaignBody = z.strictObject({
  campaign_id: CampaignId,
  name: cleanText({ trim: true, min: 1, max: 64 }),
  pool_amount: DecimalAmount,
  currency: Currency,
  card_odds: CardOdds,
  daily_card_cap: z.number().int().min(1).max(1_000),
  reveal_at: z.iso.datetime({ offset: true }),
  split: z.enum(['equal', 'random']),
});
export const CampaignOutput = z.object({
  campaign_id: z.string(),
  name: z.string(),
  pool_amount: z.string(),
  currency: z.string(),
  card_odds: z.record(z.string(), z.number()),
  daily_card_cap: z.number(),
  reveal_at: z.string(),
  split: z.enum(['equal', 'random']),
  status: z.enum(['open', 'revealing', 'revealed']),
});
export const RevealOutput = z.object({ winners: z.number(), paid: z.string(), remainder: z.string(), status: z.enum(['open', 'revealing', 'revealed']) });

export const ActionBody = z.strictObject({ action: z.enum(['add_friend', 'scan_fu', 'daily_task']), request_id: RequestId });
export const ActionOutput = z.object({ card: Card });
export const CardsOutput = z.object({ cards: z.record(z.string(), z.number()), complete: z.boolean() });
export const GiftBody = z.strictObject({ card: Card, to_phone: Phone, request_id: RequestId.optional() });
export const GiftOutput = z.object({ card: Card, to_user_id: z.string() });
