// Group red packets: a sender drops an amount into a group as lucky (double-average) or equal
// shares; each member may open one share; after 24 hours the unopened rest returns to the sender.
// The money is on the ledger from the moment of sending: the sender's wallet pays the packet's own
// holding account (never negative), each open pays a share out of it, the refund empties it.
import { BoundedCache } from '../../engine/bounded-cache.ts';
import type { Clock } from '../../engine/clock.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag } from '../../ledger/index.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { AccountCode, derivedId, redPacketHoldingAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { SocialService } from '../social/social.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { RedPacketError } from './redpacket-errors.ts';
import { type FeedPage, groupFeed } from './redpacket-feed.ts';
import { REDPACKET_MIGRATIONS } from './redpacket-schema.ts';
import { alreadyOpened, type OpenedShare, openStep, type PacketKind, type PacketRow, refundStep, sendStep } from './redpacket-steps.ts';
import { cryptoInts, equalSplit, luckySplit, type RandomInts } from './split.ts';

export type { PacketKind } from './redpacket-steps.ts';

/** The spec's limits: at most 200 CNY a packet, at most 100 shares, each at least 0.01 CNY; 24 hours to open. */
export interface RedPacketPolicy {
  readonly maxTotalMinor: bigint;
  readonly maxShares: number;
  readonly minShareMinor: bigint;
  readonly lifetimeMs: number;
}

export const DEFAULT_RED_PACKET_POLICY: RedPacketPolicy = { maxTotalMinor: 20_000n, maxShares: 100, minShareMinor: 1n, lifetimeMs: 24 * 60 * 60 * 1000 };

/** Packets refunded per pass of the expiry job. */
const REFUND_BATCH = 500;
/** Packets whose facts the open path remembers (the hot ones are the newest). */
const PACKETS_CACHED = 10_000;

/** A sent packet as the open path needs it; `settled` is set once and never cleared (finished or expired is final). */
interface PacketFacts {
  readonly groupId: string;
  readonly shares: number;
  readonly expiresAt: number;
  settled: 'finished' | 'expired' | null;
}

export interface SendInput {
  readonly groupId: string;
  readonly kind: PacketKind;
  /** Lucky: the whole packet; equal: each share. */
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly shares: number;
  readonly greeting: string;
  readonly requestId: string;
}

export interface SentPacket {
  readonly packetId: string;
  readonly expiresAt: number;
}

export interface PacketDetail {
  readonly packetId: string;
  readonly senderId: string;
  readonly groupId: string;
  readonly kind: PacketKind;
  readonly amountMinor: bigint;
  readonly totalMinor: bigint;
  readonly shares: number;
  readonly greeting: string;
  readonly status: 'open' | 'finished' | 'expired';
  readonly remainingMinor: bigint;
  readonly refundedMinor: bigint;
  readonly expiresAt: number;
  readonly opened: { userId: string; amountMinor: bigint; at: number }[];
}

export class RedPacketService {
  private readonly facts = new BoundedCache<string, PacketFacts>(PACKETS_CACHED);

  private constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly wallet: WalletService,
    private readonly social: SocialService,
    private readonly random: RandomInts,
    readonly policy: RedPacketPolicy,
  ) {}

  static async open(deps: {
    db: SqlDatabase;
    engine: LedgerEngine;
    runner: StepRunner;
    clock: Clock;
    wallet: WalletService;
    social: SocialService;
    /** Default: node:crypto's CSPRNG. Tests pass a seeded source. */
    random?: RandomInts;
    policy?: RedPacketPolicy;
  }): Promise<RedPacketService> {
    await deps.db.migrate('redpacket', REDPACKET_MIGRATIONS);
    return new RedPacketService(
      deps.db,
      deps.engine,
      deps.runner,
      deps.clock,
      deps.wallet,
      deps.social,
      deps.random ?? cryptoInts,
      deps.policy ?? DEFAULT_RED_PACKET_POLICY,
    );
  }

  /** Sends a packet to a group the sender belongs to; idempotent on the sender's request id. */
  async send(senderId: string, input: SendInput): Promise<SentPacket> {
    if (input.currency !== PLATFORM_CURRENCY.code) throw new RedPacketError('currency_not_supported', `red packets are in ${PLATFORM_CURRENCY.code} only`);
    const shares = this.split(input);
    await this.social.requireMember(input.groupId, senderId);
    const packetId = derivedId('rpk', senderId, input.requestId);
    const earlier = await this.findPacket(packetId);
    if (earlier) return this.replay(earlier, input);
    const payerLimits = await this.wallet.limits.payerLimits(senderId, 'one_factor');
    await this.wallet.ensureWallet(senderId);
    await this.openHolding(packetId, senderId);
    const now = this.clock.now();
    const row = this.newPacketRow(packetId, senderId, input, shares, now);
    const verdict = await this.runner.run(sendStep(this.wallet.limits, row, shares, payerLimits));
    if (verdict === null) return this.replay((await this.findPacket(packetId))!, input);
    if (!verdict.applied) throw sendFailure(verdict.reason, verdict.result);
    return { packetId, expiresAt: Number(row.expires_at) };
  }

  /**
   * A member opens the packet: their share, once. While the packet is open the claim in the write
   * group decides (it refuses a second open too); once it is known settled, refusals are answered
   * from a read, without a turn in the write group.
   */
  async openPacket(packetId: string, userId: string): Promise<OpenedShare> {
    const facts = await this.visibleFacts(packetId, userId);
    const settled = facts.settled ?? (facts.expiresAt <= this.clock.now() ? 'expired' : null);
    if (settled) throw (await alreadyOpened(this.db, packetId, userId)) ?? settledRefusal(settled);
    await this.wallet.ensureWallet(userId);
    try {
      const share = await this.runner.run(openStep(packetId, userId));
      if (share.seq === facts.shares - 1) facts.settled = 'finished';
      return share;
    } catch (error) {
      // A refusal is only ever delivered for a committed group: the packet's state it names is durable.
      if (error instanceof RedPacketError && error.code === 'packet_finished') facts.settled = 'finished';
      if (error instanceof RedPacketError && error.code === 'packet_expired') facts.settled = 'expired';
      throw error;
    }
  }

  /** The packet, its status and who opened what; for the group's members. */
  async detail(packetId: string, viewerId: string): Promise<PacketDetail> {
    const p = await this.requireVisible(packetId, viewerId);
    const opens = await this.db.all<{ user_id: string; amount_minor: bigint; opened_at: bigint }>(
      'SELECT user_id, amount_minor, opened_at FROM redpacket_opens WHERE packet_id = ? ORDER BY seq',
      [packetId],
    );
    const lapsed = p.status === 'open' && p.expires_at <= BigInt(this.clock.now());
    return {
      packetId,
      senderId: p.sender_id,
      groupId: p.group_id,
      kind: p.kind,
      amountMinor: p.amount_minor,
      totalMinor: p.total_minor,
      shares: Number(p.share_count),
      greeting: p.greeting,
      status: lapsed ? 'expired' : (p.status as PacketDetail['status']),
      remainingMinor: p.remaining_minor,
      refundedMinor: p.refunded_minor,
      expiresAt: Number(p.expires_at),
      opened: opens.map((o) => ({ userId: o.user_id, amountMinor: o.amount_minor, at: Number(o.opened_at) })),
    };
  }

  /** The group's packets, newest first, with their state and the viewer's share; for the group's members. */
  async feed(groupId: string, viewerId: string, page: { limit: number; after?: string }): Promise<FeedPage> {
    await this.social.requireMember(groupId, viewerId);
    return groupFeed(this.db, groupId, viewerId, this.clock.now(), page);
  }

  /** The expiry job: every open packet past its time refunded once; returns how many. */
  async refundExpired(): Promise<number> {
    let refunded = 0;
    for (;;) {
      const due = await this.db.all<{ packet_id: string }>(
        "SELECT packet_id FROM redpacket_packets WHERE status = 'open' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
        [BigInt(this.clock.now()), REFUND_BATCH],
      );
      const results = await Promise.all(due.map((p) => this.runner.run(refundStep(p.packet_id))));
      refunded += results.filter((r) => r !== null).length;
      if (due.length < REFUND_BATCH) return refunded;
    }
  }

  /** When the next open packet expires (clock ms), or null. */
  async nextExpiry(): Promise<number | null> {
    const row = await this.db.get<{ due: bigint | null }>("SELECT MIN(expires_at) AS due FROM redpacket_packets WHERE status = 'open'");
    return row?.due == null ? null : Number(row.due);
  }

  private split(input: SendInput): bigint[] {
    const p = this.policy;
    const total = input.kind === 'equal' ? input.amountMinor * BigInt(input.shares) : input.amountMinor;
    const smallest = input.kind === 'equal' ? input.amountMinor : total / BigInt(Math.max(1, input.shares));
    if (!Number.isInteger(input.shares) || input.shares < 1 || input.shares > p.maxShares)
      throw packetLimit(`a packet has 1 to ${p.maxShares} shares`, 'shares');
    if (total > p.maxTotalMinor) throw packetLimit('a packet holds at most 200.00 CNY', 'amount');
    if (smallest < p.minShareMinor) throw packetLimit('each share must be at least 0.01 CNY', 'share');
    return input.kind === 'equal' ? equalSplit(input.amountMinor, input.shares) : luckySplit(total, input.shares, this.random);
  }

  private async openHolding(packetId: string, senderId: string): Promise<void> {
    await this.engine.ensureAccount({
      id: redPacketHoldingAccountId(packetId),
      ledger: PLATFORM_CURRENCY.ledger,
      code: AccountCode.redPacketHolding,
      flags: AccountFlag.debits_must_not_exceed_credits,
      userData: senderId,
    });
  }

  private newPacketRow(packetId: string, senderId: string, input: SendInput, shares: readonly bigint[], now: number): PacketRow {
    const total = shares.reduce((a, b) => a + b, 0n);
    return {
      packet_id: packetId,
      sender_id: senderId,
      request_id: input.requestId,
      group_id: input.groupId,
      kind: input.kind,
      amount_minor: input.amountMinor,
      total_minor: total,
      share_count: BigInt(shares.length),
      greeting: input.greeting,
      opened_count: 0n,
      remaining_minor: total,
      refunded_minor: 0n,
      status: 'sending',
      reason: '',
      expires_at: BigInt(now + this.policy.lifetimeMs),
      created_at: BigInt(now),
    };
  }

  private replay(row: PacketRow, input: SendInput): SentPacket {
    const same =
      row.group_id === input.groupId &&
      row.kind === input.kind &&
      row.amount_minor === input.amountMinor &&
      Number(row.share_count) === input.shares &&
      row.greeting === input.greeting;
    if (!same) throw new RedPacketError('request_id_reused', `request_id '${input.requestId}' was already used for a different red packet`);
    if (row.status === 'failed') {
      const [reason, result] = row.reason.split(':');
      throw sendFailure(reason, result ?? '');
    }
    return { packetId: row.packet_id, expiresAt: Number(row.expires_at) };
  }

  private findPacket(packetId: string): Promise<PacketRow | undefined> {
    return this.db.get<PacketRow>('SELECT * FROM redpacket_packets WHERE packet_id = ?', [packetId]);
  }

  /** What never changes about a sent packet, and its settled state once seen (remembered: both only move forward). */
  private async visibleFacts(packetId: string, userId: string): Promise<PacketFacts> {
    const known = this.facts.get(packetId);
    if (known) {
      await this.social.requireMember(known.groupId, userId);
      return known;
    }
    const row = await this.requireVisible(packetId, userId);
    const facts: PacketFacts = {
      groupId: row.group_id,
      shares: Number(row.share_count),
      expiresAt: Number(row.expires_at),
      settled: row.status === 'open' ? null : row.status === 'finished' ? 'finished' : 'expired',
    };
    this.facts.set(packetId, facts);
    return facts;
  }

  /** A sent packet, for a member of its group: `packet_not_found` or `not_a_member` otherwise. */
  private async requireVisible(packetId: string, userId: string): Promise<PacketRow> {
    const packet = await this.findPacket(packetId);
    if (!packet || packet.status === 'failed' || packet.status === 'sending') throw new RedPacketError('packet_not_found', `no red packet '${packetId}'`);
    await this.social.requireMember(packet.group_id, userId);
    return packet;
  }
}

function settledRefusal(settled: 'finished' | 'expired'): RedPacketError {
  return settled === 'finished'
    ? new RedPacketError('packet_finished', 'every share of the red packet has been taken')
    : new RedPacketError('packet_expired', 'the red packet has expired');
}

function packetLimit(message: string, limit: string): RedPacketError {
  return new RedPacketError('packet_limit', message, { limit });
}

function sendFailure(reason: string, result: string): RedPacketError {
  if (reason === 'insufficient_funds') return new RedPacketError('insufficient_funds', 'the wallet balance is too low for this red packet');
  return new RedPacketError('transfer_failed', `the ledger refused the red packet (${result})`, { ledger_result: result });
}
