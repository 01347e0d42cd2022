// The social graph red packets and the campaign stand on: friendship (always both directions) and
// groups with members. Every list is paged, every set bounded (a group's members, a user's
// friends). Writes run in the engine's write groups, which take turns on both stores, so a cap is
// checked and filled in one turn and concurrent additions cannot pass it together.
import type { Clock } from '../../engine/clock.ts';
import { BoundedCache } from '../../engine/bounded-cache.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { IdentityService } from '../identity/identity.ts';
import { SocialError } from './social-errors.ts';
import { SOCIAL_MIGRATIONS } from './social-schema.ts';

export interface SocialPolicy {
  /** A group holds at most this many members, its creator included (spec: 500). */
  readonly maxGroupMembers: number;
  /** A user has at most this many friends. */
  readonly maxFriends: number;
}

export const DEFAULT_SOCIAL_POLICY: SocialPolicy = { maxGroupMembers: 500, maxFriends: 5_000 };

/** Runs module writes in the engine's next write group (LedgerEngine.write). */
export interface SerialWriter {
  write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export interface PageQuery {
  readonly limit: number;
  /** The `next` of the previous page. */
  readonly after?: string;
}

export interface Page<T> {
  readonly items: T[];
  readonly next: string | null;
}

export interface Friend {
  readonly userId: string;
  readonly phone: string;
  readonly name: string;
  readonly since: number;
}

export interface GroupSummary {
  readonly groupId: string;
  readonly name: string;
  readonly ownerId: string;
  readonly memberCount: number;
  readonly createdAt: number;
}

export interface NewGroup {
  readonly name: string;
  readonly memberIds: readonly string[];
  /** Makes creation idempotent: the same owner and request id name the same group. */
  readonly requestId?: string;
}

interface GroupRow extends Record<string, unknown> {
  group_id: string;
  name: string;
  owner_id: string;
  request_id: string;
  member_count: bigint;
  created_at: bigint;
}

/** Memberships remembered: a member is never removed and a group never deleted, so a yes stays true (every process may keep it). */
const MEMBERSHIPS_CACHED = 200_000;

export class SocialService {
  private readonly knownMembers = new BoundedCache<string, true>(MEMBERSHIPS_CACHED);

  private constructor(
    private readonly db: SqlDatabase,
    private readonly writer: SerialWriter,
    private readonly identity: IdentityService,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    readonly policy: SocialPolicy,
  ) {}

  static async open(deps: {
    db: SqlDatabase;
    writer: SerialWriter;
    identity: IdentityService;
    clock: Clock;
    ids: IdSource;
    policy?: SocialPolicy;
  }): Promise<SocialService> {
    await deps.db.migrate('social', SOCIAL_MIGRATIONS);
    return new SocialService(deps.db, deps.writer, deps.identity, deps.clock, deps.ids, deps.policy ?? DEFAULT_SOCIAL_POLICY);
  }

  /** Makes the caller and the owner of `phone` friends, both directions; adding a friend again changes nothing. */
  async addFriend(userId: string, phone: string): Promise<{ friendId: string; added: boolean }> {
    const friend = await this.userByPhone(phone);
    if (friend === userId) throw new SocialError('self_friend', 'a user cannot befriend themselves');
    const now = BigInt(this.clock.now());
    const added = await this.writer.write(async (tx) => {
      if (await areFriendsIn(tx, userId, friend)) return false;
      for (const side of [userId, friend]) await this.requireFriendRoom(tx, side);
      await tx.run('INSERT INTO social_friends (user_id, friend_id, created_at) VALUES (?, ?, ?), (?, ?, ?)', [userId, friend, now, friend, userId, now]);
      return true;
    });
    return { friendId: friend, added };
  }

  areFriends(a: string, b: string): Promise<boolean> {
    return areFriendsIn(this.db, a, b);
  }

  /** The user's friends in id order. */
  async friends(userId: string, page: PageQuery): Promise<Page<Friend>> {
    const rows = await this.db.all<{ friend_id: string; created_at: bigint }>(
      'SELECT friend_id, created_at FROM social_friends WHERE user_id = ? AND friend_id > ? ORDER BY friend_id LIMIT ?',
      [userId, page.after ?? '', page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    const items = await Promise.all(
      shown.map(async (r) => {
        const user = await this.identity.requireUser(r.friend_id);
        return { userId: r.friend_id, phone: user.phone, name: user.name, since: Number(r.created_at) };
      }),
    );
    return { items, next: rows.length > page.limit ? shown[shown.length - 1].friend_id : null };
  }

  /** A group of the owner and the users with these phones. */
  async createGroupByPhones(ownerId: string, input: { name: string; memberPhones: readonly string[]; requestId?: string }): Promise<GroupSummary> {
    const memberIds = await this.usersByPhone(input.memberPhones);
    return this.createGroup(ownerId, { name: input.name, memberIds, requestId: input.requestId });
  }

  /** A group of the owner and these (existing) users; a replay of the request id returns the first group. */
  async createGroup(ownerId: string, input: NewGroup): Promise<GroupSummary> {
    const members = [...new Set([ownerId, ...input.memberIds])];
    this.requireGroupRoom(0, members.length);
    const now = BigInt(this.clock.now());
    const requestId = input.requestId ?? this.ids.next('greq');
    const row = await this.writer.write(async (tx) => {
      const earlier = await tx.get<GroupRow>('SELECT * FROM social_groups WHERE owner_id = ? AND request_id = ?', [ownerId, requestId]);
      if (earlier) return earlier;
      const groupId = this.ids.next('grp');
      await tx.run('INSERT INTO social_groups (group_id, name, owner_id, request_id, member_count, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        groupId,
        input.name,
        ownerId,
        requestId,
        members.length,
        now,
      ]);
      await insertMembers(tx, groupId, members, now);
      return { group_id: groupId, name: input.name, owner_id: ownerId, request_id: requestId, member_count: BigInt(members.length), created_at: now };
    });
    if (row.name !== input.name) throw new SocialError('request_id_reused', `request_id '${requestId}' already created a different group`);
    return toSummary(row);
  }

  /** Adds users to a group; only a member may add, and the group never passes its cap. */
  async addMembers(groupId: string, byUserId: string, memberIds: readonly string[]): Promise<GroupSummary> {
    await this.requireMember(groupId, byUserId);
    const now = BigInt(this.clock.now());
    const row = await this.writer.write(async (tx) => {
      const group = await this.requireGroup(tx, groupId);
      const fresh = await newMembers(tx, groupId, [...new Set(memberIds)]);
      this.requireGroupRoom(Number(group.member_count), fresh.length);
      await insertMembers(tx, groupId, fresh, now);
      await tx.run('UPDATE social_groups SET member_count = member_count + ? WHERE group_id = ?', [fresh.length, groupId]);
      return { ...group, member_count: group.member_count + BigInt(fresh.length) };
    });
    return toSummary(row);
  }

  async addMembersByPhones(groupId: string, byUserId: string, phones: readonly string[]): Promise<GroupSummary> {
    return this.addMembers(groupId, byUserId, await this.usersByPhone(phones));
  }

  async isMember(groupId: string, userId: string): Promise<boolean> {
    return (await this.db.get('SELECT 1 AS one FROM social_group_members WHERE group_id = ? AND user_id = ?', [groupId, userId])) !== undefined;
  }

  /** Refuses a user outside the group: `group_not_found` or `not_a_member`. A member found once is remembered. */
  async requireMember(groupId: string, userId: string): Promise<void> {
    const key = `${groupId}\u0000${userId}`;
    if (this.knownMembers.get(key)) return;
    if (await this.isMember(groupId, userId)) {
      this.knownMembers.set(key, true);
      return;
    }
    await this.requireGroup(this.db, groupId);
    throw new SocialError('not_a_member', 'only a member of the group may do this');
  }

  /** The groups the user belongs to, in id order. */
  async groups(userId: string, page: PageQuery): Promise<Page<GroupSummary>> {
    const rows = await this.db.all<GroupRow>(
      `SELECT g.* FROM social_group_members m JOIN social_groups g ON g.group_id = m.group_id
       WHERE m.user_id = ? AND m.group_id > ? ORDER BY m.group_id LIMIT ?`,
      [userId, page.after ?? '', page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    return { items: shown.map(toSummary), next: rows.length > page.limit ? shown[shown.length - 1].group_id : null };
  }

  /** A group's members in id order; only members may look. */
  async members(groupId: string, viewerId: string, page: PageQuery): Promise<Page<{ userId: string; joinedAt: number }>> {
    await this.requireMember(groupId, viewerId);
    const rows = await this.db.all<{ user_id: string; joined_at: bigint }>(
      'SELECT user_id, joined_at FROM social_group_members WHERE group_id = ? AND user_id > ? ORDER BY user_id LIMIT ?',
      [groupId, page.after ?? '', page.limit + 1],
    );
    const shown = rows.slice(0, page.limit);
    return {
      items: shown.map((r) => ({ userId: r.user_id, joinedAt: Number(r.joined_at) })),
      next: rows.length > page.limit ? shown[shown.length - 1].user_id : null,
    };
  }

  async group(groupId: string): Promise<GroupSummary> {
    return toSummary(await this.requireGroup(this.db, groupId));
  }

  private async requireGroup(tx: SqlExecutor, groupId: string): Promise<GroupRow> {
    const group = await tx.get<GroupRow>('SELECT * FROM social_groups WHERE group_id = ?', [groupId]);
    if (!group) throw new SocialError('group_not_found', `no group '${groupId}'`);
    return group;
  }

  private requireGroupRoom(current: number, adding: number): void {
    const max = this.policy.maxGroupMembers;
    if (current + adding > max) throw new SocialError('group_full', `a group holds at most ${max} members`, { max_members: String(max) });
  }

  private async requireFriendRoom(tx: SqlExecutor, userId: string): Promise<void> {
    const row = await tx.get<{ n: bigint }>('SELECT COUNT(*) AS n FROM social_friends WHERE user_id = ?', [userId]);
    const max = this.policy.maxFriends;
    if (Number(row?.n ?? 0n) >= max) throw new SocialError('friend_limit', `a user has at most ${max} friends`, { max_friends: String(max) });
  }

  private async userByPhone(phone: string): Promise<string> {
    const user = await this.identity.findByPhone(phone);
    if (!user) throw new SocialError('user_not_found', `no user with phone ${phone}`, { phone });
    return user.id;
  }

  private async usersByPhone(phones: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const phone of new Set(phones)) ids.push(await this.userByPhone(phone));
    return ids;
  }
}

async function areFriendsIn(tx: SqlExecutor, a: string, b: string): Promise<boolean> {
  return (await tx.get('SELECT 1 AS one FROM social_friends WHERE user_id = ? AND friend_id = ?', [a, b])) !== undefined;
}

async function newMembers(tx: SqlExecutor, groupId: string, userIds: readonly string[]): Promise<string[]> {
  const fresh: string[] = [];
  for (const userId of userIds) {
    const known = await tx.get('SELECT 1 AS one FROM social_group_members WHERE group_id = ? AND user_id = ?', [groupId, userId]);
    if (!known) fresh.push(userId);
  }
  return fresh;
}

/** Rows in chunks, so a large group is a few statements rather than one per member. */
async function insertMembers(tx: SqlExecutor, groupId: string, userIds: readonly string[], now: bigint): Promise<void> {
  const CHUNK = 200;
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const chunk = userIds.slice(i, i + CHUNK);
    await tx.run(
      `INSERT INTO social_group_members (group_id, user_id, joined_at) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((id) => [groupId, id, now]),
    );
  }
}

function toSummary(row: GroupRow): GroupSummary {
  return { groupId: row.group_id, name: row.name, ownerId: row.owner_id, memberCount: Number(row.member_count), createdAt: Number(row.created_at) };
}
