// A group's red packets as its members see them: newest first, paged by a keyset cursor (the
// packet's send time and id, on the index of group, time and id), so any page costs its own rows
// however many packets the group has sent; each with its state and what the viewer took from it.
import type { SqlExecutor } from '../../store/sql.ts';
import type { PacketKind, PacketStatus } from './redpacket-steps.ts';

export interface FeedPacket {
  readonly packetId: string;
  readonly senderId: string;
  readonly kind: PacketKind;
  readonly totalMinor: bigint;
  readonly shares: number;
  readonly openedCount: number;
  readonly remainingMinor: bigint;
  readonly greeting: string;
  readonly status: 'open' | 'finished' | 'expired';
  readonly createdAt: number;
  readonly expiresAt: number;
  /** What the viewer took from this packet, or null when they have not opened it. */
  readonly mineMinor: bigint | null;
}

export interface FeedPage {
  readonly packets: FeedPacket[];
  /** The cursor of the next (older) page, or null on the last page. */
  readonly next: string | null;
}

interface FeedRow extends Record<string, unknown> {
  packet_id: string;
  sender_id: string;
  kind: PacketKind;
  total_minor: bigint;
  share_count: bigint;
  opened_count: bigint;
  remaining_minor: bigint;
  greeting: string;
  status: PacketStatus;
  created_at: bigint;
  expires_at: bigint;
  mine_minor: bigint | null;
}

/** `<created_at>_<packet_id>`: where the previous page stopped. */
export const FEED_CURSOR = /^(\d{1,16})_(rpk_[A-Za-z0-9_-]{43})$/;

function cursorOf(row: FeedRow): string {
  return `${row.created_at}_${row.packet_id}`;
}

/** Before the cursor in newest-first order, or everything when there is none. */
function olderThan(after: string | undefined): { sql: string; params: (bigint | string)[] } {
  const match = after ? FEED_CURSOR.exec(after) : null;
  if (!match) return { sql: '', params: [] };
  const at = BigInt(match[1]);
  return { sql: 'AND (p.created_at < ? OR (p.created_at = ? AND p.packet_id < ?))', params: [at, at, match[2]] };
}

/** One page of the group's sent packets (never those still sending or refused), for `viewerId`. */
export async function groupFeed(db: SqlExecutor, groupId: string, viewerId: string, nowMs: number, page: { limit: number; after?: string }): Promise<FeedPage> {
  const older = olderThan(page.after);
  const rows = await db.all<FeedRow>(
    `SELECT p.packet_id, p.sender_id, p.kind, p.total_minor, p.share_count, p.opened_count, p.remaining_minor, p.greeting, p.status,
            p.created_at, p.expires_at, o.amount_minor AS mine_minor
     FROM redpacket_packets p LEFT JOIN redpacket_opens o ON o.packet_id = p.packet_id AND o.user_id = ?
     WHERE p.group_id = ? AND p.status IN ('open', 'finished', 'expired') ${older.sql}
     ORDER BY p.created_at DESC, p.packet_id DESC LIMIT ?`,
    [viewerId, groupId, ...older.params, page.limit + 1],
  );
  const shown = rows.slice(0, page.limit);
  return { packets: shown.map((r) => toFeedPacket(r, nowMs)), next: rows.length > page.limit ? cursorOf(shown[shown.length - 1]) : null };
}

function toFeedPacket(r: FeedRow, nowMs: number): FeedPacket {
  // An open packet past its time is expired for the viewer even before the expiry job has refunded it.
  const lapsed = r.status === 'open' && r.expires_at <= BigInt(nowMs);
  return {
    packetId: r.packet_id,
    senderId: r.sender_id,
    kind: r.kind,
    totalMinor: r.total_minor,
    shares: Number(r.share_count),
    openedCount: Number(r.opened_count),
    remainingMinor: r.remaining_minor,
    greeting: r.greeting,
    status: lapsed ? 'expired' : (r.status as FeedPacket['status']),
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    mineMinor: r.mine_minor,
  };
}
