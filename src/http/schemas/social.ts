// Wire shapes of the friends and groups routes (fixed by spec/social.md).
import { z } from 'zod';
import { cleanText } from './common.ts';
import { Phone } from './identity.ts';
import { RequestId } from './wallet.ts';

export const GroupId = z.string().regex(/^grp_[0-9A-Z]{26}$/, 'must be a group id (grp_...)');
export const GroupParams = z.object({ group_id: GroupId });

export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  after: z
    .string()
    .regex(/^[A-Za-z0-9_]{1,64}$/, 'must be the `next` of a previous page')
    .optional(),
});

export const FriendBody = z.strictObject({ phone: Phone });
export const FriendOutput = z.object({ friend_id: z.string(), added: z.boolean() });
export const FriendsOutput = z.object({
  friends: z.array(z.object({ user_id: z.string(), phone: z.string(), name: z.string(), since: z.string() })),
  next: z.string().nullable(),
});

const MemberPhones = z.array(Phone).max(499, 'a group holds at most 500 members');
export const GroupBody = z.strictObject({ name: cleanText({ trim: true, min: 1, max: 64 }), member_phones: MemberPhones, request_id: RequestId.optional() });
export const GroupCreated = z.object({ group_id: z.string() });
export const AddMembersBody = z.strictObject({ member_phones: MemberPhones.min(1) });
export const GroupOutput = z.object({ group_id: z.string(), name: z.string(), owner_id: z.string(), member_count: z.number(), created_at: z.string() });
export const GroupsOutput = z.object({ groups: z.array(GroupOutput), next: z.string().nullable() });
export const MembersOutput = z.object({ members: z.array(z.object({ user_id: z.string(), joined_at: z.string() })), next: z.string().nullable() });
