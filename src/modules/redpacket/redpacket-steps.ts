// A red packet's money moves as three steps, each one commit with its ledger batch:
//   send   -> the packet and its shares claimed under the sender's request id (and the sender's
//             limits), the amount from the sender's wallet into the packet's holding account;
//   open   -> the next unopened share claimed by one conditional UPDATE of the packet's counter,
//             the opener's row (one per user and packet), the share from the holding account to
//             the opener's wallet;
//   refund -> the packet marked expired with its unopened rest, the rest back to the sender.
// Claims run one after another inside the engine's write group, and each step's writes are undone
// if it is refused, so no interleaving of openers can take a share twice or more than the packet holds.
import type { TransferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { derivedId, redPacketHoldingAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { moveEvent } from '../books/moves.ts';
import { type LedgerVerdict, ledgerVerdict, requireApplied, type Step } from '../books/step-runner.ts';
import type { Limit } from '../identity/limits.ts';
import type { SpendingLimits } from '../wallet/spending-limits.ts';
import { RedPacketError } from './redpacket-errors.ts';

export type PacketKind = 'lucky' | 'equal';
export type PacketStatus = 'sending' | 'failed' | 'open' | 'finished' | 'expired';

export interface PacketRow extends Record<string, unknown> {
  packet_id: string;
  sender_id: string;
  request_id: string;
  group_id: string;
  kind: PacketKind;
  amount_minor: bigint;
  total_minor: bigint;
  share_count: bigint;
  greeting: string;
  opened_count: bigint;
  remaining_minor: bigint;
  refunded_minor: bigint;
  status: PacketStatus;
  reason: string;
  expires_at: bigint;
  created_at: bigint;
}

/** A move of `amount` between two accounts in the platform currency. */
function move(id: string, debit: string, credit: string, amount: bigint, code: number, userData: string): TransferEvent {
  return moveEvent({ id, debit, credit, amount, code }, userData);
}

function spendKey(packet: PacketRow) {
  return { userId: packet.sender_id, kind: 'red_packet' as const, requestId: packet.request_id };
}

/** Sends a packet: null when another call claimed the request id first. */
export function sendStep(
  limits: SpendingLimits,
  packet: PacketRow,
  shares: readonly bigint[],
  payerLimits: readonly Limit[],
): Step<boolean, LedgerVerdict | null> {
  const holding = redPacketHoldingAccountId(packet.packet_id);
  return {
    name: 'redpacket.send',
    maxEvents: 1,
    async claim(tx) {
      const p = packet;
      const inserted = await tx.run(
        `INSERT INTO redpacket_packets (packet_id, sender_id, request_id, group_id, kind, amount_minor, total_minor, share_count, greeting, remaining_minor, status, expires_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?, ?) ON CONFLICT DO NOTHING`,
        [
          p.packet_id,
          p.sender_id,
          p.request_id,
          p.group_id,
          p.kind,
          p.amount_minor,
          p.total_minor,
          p.share_count,
          p.greeting,
          p.total_minor,
          p.expires_at,
          p.created_at,
        ],
      );
      if (inserted.changes === 0) return false;
      await tx.run(
        `INSERT INTO redpacket_shares (packet_id, seq, amount_minor) VALUES ${shares.map(() => '(?, ?, ?)').join(', ')}`,
        shares.flatMap((amount, seq) => [p.packet_id, seq, amount]),
      );
      await limits.claim(tx, { ...spendKey(p), amountMinor: p.total_minor }, payerLimits);
      return true;
    },
    plan: (fresh) =>
      fresh
        ? [
            move(
              derivedId('rps', packet.packet_id),
              walletAccountId(packet.sender_id),
              holding,
              packet.total_minor,
              TransferCode.redPacketSend,
              packet.sender_id,
            ),
          ]
        : [],
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      if (verdict.applied) {
        await tx.run("UPDATE redpacket_packets SET status = 'open' WHERE packet_id = ?", [packet.packet_id]);
      } else {
        await tx.run("UPDATE redpacket_packets SET status = 'failed', reason = ? WHERE packet_id = ?", [
          `${verdict.reason}:${verdict.result}`,
          packet.packet_id,
        ]);
        await limits.release(tx, spendKey(packet));
      }
      return verdict;
    },
  };
}

export interface OpenedShare {
  readonly seq: number;
  readonly amountMinor: bigint;
}

interface OpenClaim extends OpenedShare {
  readonly senderId: string;
}

/** Why an open cannot take a share, from the packet as it is now. */
async function openRefusal(tx: SqlExecutor, packetId: string, nowMs: number): Promise<RedPacketError> {
  const packet = await tx.get<PacketRow>('SELECT status, expires_at FROM redpacket_packets WHERE packet_id = ?', [packetId]);
  if (!packet || packet.status === 'failed' || packet.status === 'sending') return new RedPacketError('packet_not_found', `no red packet '${packetId}'`);
  if (packet.status === 'expired' || packet.expires_at <= BigInt(nowMs)) return new RedPacketError('packet_expired', 'the red packet has expired');
  return new RedPacketError('packet_finished', 'every share of the red packet has been taken');
}

export async function alreadyOpened(tx: SqlExecutor, packetId: string, userId: string): Promise<RedPacketError | null> {
  const opened = await tx.get<{ amount_minor: bigint }>('SELECT amount_minor FROM redpacket_opens WHERE packet_id = ? AND user_id = ?', [packetId, userId]);
  return opened ? new RedPacketError('already_opened', 'you have opened this red packet already', { amount_minor: opened.amount_minor.toString() }) : null;
}

/** One member's open: the next share by the packet's counter, paid from the holding account. */
export function openStep(packetId: string, userId: string): Step<OpenClaim, OpenedShare> {
  return {
    name: 'redpacket.open',
    maxEvents: 1,
    async claim(tx, nowMs) {
      const opened = await alreadyOpened(tx, packetId, userId);
      if (opened) throw opened;
      // The share at the counter is the next unopened one; SET reads the row as it was before.
      const taken = await tx.get<{ opened_count: bigint; sender_id: string }>(
        `UPDATE redpacket_packets SET opened_count = opened_count + 1,
           remaining_minor = remaining_minor - (SELECT s.amount_minor FROM redpacket_shares s WHERE s.packet_id = redpacket_packets.packet_id AND s.seq = redpacket_packets.opened_count),
           status = CASE WHEN opened_count + 1 = share_count THEN 'finished' ELSE status END
         WHERE packet_id = ? AND status = 'open' AND opened_count < share_count AND expires_at > ?
         RETURNING opened_count, sender_id`,
        [packetId, BigInt(nowMs)],
      );
      if (!taken) throw await openRefusal(tx, packetId, nowMs);
      const seq = Number(taken.opened_count) - 1;
      const share = await tx.get<{ amount_minor: bigint }>('SELECT amount_minor FROM redpacket_shares WHERE packet_id = ? AND seq = ?', [packetId, seq]);
      if (!share) throw new Error(`red packet ${packetId} has no share ${seq}`);
      const inserted = await tx.run(
        'INSERT INTO redpacket_opens (packet_id, user_id, seq, amount_minor, opened_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        [packetId, userId, seq, share.amount_minor, BigInt(nowMs)],
      );
      // Another write of this user got in first (a second process on PostgreSQL): refused, the counter undone with it.
      if (inserted.changes === 0) throw (await alreadyOpened(tx, packetId, userId)) ?? new Error('open row vanished');
      return { seq, amountMinor: share.amount_minor, senderId: taken.sender_id };
    },
    plan: (c) => [
      move(
        derivedId('rpo', packetId, String(c.seq)),
        redPacketHoldingAccountId(packetId),
        walletAccountId(userId),
        c.amountMinor,
        TransferCode.redPacketOpen,
        userId,
      ),
    ],
    async record(_tx, c, outcomes) {
      requireApplied('redpacket.open', outcomes);
      return { seq: c.seq, amountMinor: c.amountMinor };
    },
  };
}

interface RefundClaim {
  readonly senderId: string;
  readonly remainingMinor: bigint;
}

/** Expires a packet past its time and returns its unopened rest to the sender; null when it was not open. */
export function refundStep(packetId: string): Step<RefundClaim | null, bigint | null> {
  return {
    name: 'redpacket.refund',
    maxEvents: 1,
    async claim(tx, nowMs) {
      const row = await tx.get<{ remaining_minor: bigint; sender_id: string }>(
        `UPDATE redpacket_packets SET status = 'expired', refunded_minor = remaining_minor
         WHERE packet_id = ? AND status = 'open' AND expires_at <= ? RETURNING remaining_minor, sender_id`,
        [packetId, BigInt(nowMs)],
      );
      return row ? { senderId: row.sender_id, remainingMinor: row.remaining_minor } : null;
    },
    plan: (c) =>
      c && c.remainingMinor > 0n
        ? [
            move(
              derivedId('rpr', packetId),
              redPacketHoldingAccountId(packetId),
              walletAccountId(c.senderId),
              c.remainingMinor,
              TransferCode.redPacketRefund,
              c.senderId,
            ),
          ]
        : [],
    async record(_tx, c, outcomes) {
      if (!c) return null;
      requireApplied('redpacket.refund', outcomes);
      return c.remainingMinor;
    },
  };
}
