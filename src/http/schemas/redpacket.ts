// Wire shapes of the red packet routes (fixed by spec/social.md). Amounts are decimal strings.
import { z } from 'zod';
import { cleanText } from './common.ts';
import { FEED_CURSOR } from '../../modules/redpacket/redpacket-feed.ts';
import { GroupId } from './social.ts';
import { Currency, DecimalAmount, RequestId } from './wallet.ts';

export const PacketParams = z.object({ packet_id: z.string().regex(/^rpk_[A-Za-z0-9_-]{43}$/, 'must be a red packet id (rpk_...)') });

export const SendBody = z.strictObject({
  group_id: GroupId,
  kind: z.enum(['lucky', 'equal']),
  amount: DecimalAmount.meta({ description: 'lucky: the whole packet; equal: each share', example: '8.88' }),
  currency: Currency,
  shares: z.number().int().min(1),
  greeting: cleanText({ trim: true, max: 64 }).optional(),
  request_id: RequestId,
});
export const SendOutput = z.object({ packet_id: z.string(), expires_at: z.string() });
export const OpenOutput = z.object({ amount: z.string() });
export const PacketOutput = z.object({
  packet_id: z.string(),
  sender_id: z.string(),
  group_id: z.string(),
  kind: z.enum(['lucky', 'equal']),
  amount: z.string(),
  total: z.string(),
  currency: z.string(),
  shares: z.number(),
  greeting: z.string(),
  status: z.enum(['open', 'finished', 'expired']),
  remaining: z.string(),
  refunded: z.string(),
  expires_at: z.string(),
  opened: z.array(z.object({ user_id: z.string(), amount: z.string(), at: z.string() })),
});

export const FeedQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20),
  after: z.string().regex(FEED_CURSOR, 'must be the `next` of a previous page').optional(),
});
export const FeedOutput = z.object({
  packets: z.array(
    z.object({
      packet_id: z.string(),
      sender_id: z.string(),
      sender_name: z.string(),
      kind: z.enum(['lucky', 'equal']),
      total: z.string(),
      currency: z.string(),
      shares: z.number(),
      opened_count: z.number(),
      remaining: z.string(),
      greeting: z.string(),
      status: z.enum(['open', 'finished', 'expired']),
      created_at: z.string(),
      expires_at: z.string(),
      mine: z.string().nullable().meta({ description: 'what the caller took from this packet, null when they have not opened it' }),
    }),
  ),
  next: z.string().nullable().meta({ description: 'the cursor of the next (older) page; null on the last page' }),
});
