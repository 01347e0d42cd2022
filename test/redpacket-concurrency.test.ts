// Red packets in process, on the real stores, under the burst the issue names: 10,000 concurrent
// openers of one 100-share packet (exactly 100 opens, the shares summing to the amount, nobody
// twice, nothing oversold), one user racing themselves, and the 24-hour refund run once however
// often the job runs. The group cap is raised for the burst (the spec's cap is 500 members);
// openers are members by id with wallets of their own. SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { redPacketHoldingAccountId, walletAccountId } from '../src/modules/books/chart.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { RedPacketError } from '../src/modules/redpacket/redpacket-errors.ts';
import { DEFAULT_RED_PACKET_POLICY, RedPacketService } from '../src/modules/redpacket/redpacket.ts';
import { seededInts } from '../src/modules/redpacket/split.ts';
import { SocialService } from '../src/modules/social/social.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { freshPhone } from './support/users.ts';

const OPENERS = 10_000;

describe.each(storesUnderTest())('red packets in process (%s)', (store) => {
  let server: TestServer;
  let social: SocialService;
  let packets: RedPacketService;
  let senderId: string;
  let seq = 0;
  const requestId = () => `rp-${store}-${++seq}`;

  const balance = async (accountId: string) => {
    const account = await server.app.store.getAccount(accountId);
    return (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
  };
  const codeOf = (r: PromiseSettledResult<unknown>) =>
    r.status === 'rejected' ? (r.reason instanceof RedPacketError ? r.reason.code : String(r.reason)) : 'ok';

  async function groupOf(memberIds: string[]): Promise<string> {
    return (await social.createGroup(senderId, { name: 'Burst', memberIds })).groupId;
  }

  beforeAll(async () => {
    server = await startTestServer({ store });
    const app = server.app;
    social = await SocialService.open({
      db: app.sql,
      writer: app.engine,
      identity: app.identity,
      clock: app.clock,
      ids: app.ids,
      policy: { maxGroupMembers: OPENERS + 1, maxFriends: 10 },
    });
    packets = await RedPacketService.open({
      db: app.sql,
      engine: app.engine,
      runner: app.runner,
      clock: app.clock,
      wallet: app.wallet,
      social,
      random: seededInts(2016),
    });
    const sender = await app.identity.register({ phone: freshPhone(), password: 'correct horse', name: 'Sender' });
    senderId = sender.id;
    await app.identity.addEvidence(senderId, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
    await app.wallet.openWallet(senderId);
    await app.wallet.adjust({
      userId: senderId,
      amountMinor: 100_000n,
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funds',
      requestId: `fund-${store}`,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('10,000 concurrent openers of one 100-share packet: exactly 100 opens, the sum exact, nobody twice, nothing oversold', async () => {
    const openers = Array.from({ length: OPENERS }, (_, i) => `usr_OPENER${String(i).padStart(16, '0')}`);
    const groupId = await groupOf(openers);
    for (let i = 0; i < openers.length; i += 1_000) await Promise.all(openers.slice(i, i + 1_000).map((id) => server.app.wallet.openWallet(id)));
    const { packetId } = await packets.send(senderId, {
      groupId,
      kind: 'lucky',
      amountMinor: 20_000n,
      currency: 'CNY',
      shares: 100,
      greeting: '',
      requestId: requestId(),
    });

    const results = await Promise.allSettled(openers.map((id) => packets.openPacket(packetId, id)));

    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ userId: openers[i], amount: r.value.amountMinor, seq: r.value.seq }] : []));
    expect(won).toHaveLength(100);
    expect(won.reduce((sum, w) => sum + w.amount, 0n)).toBe(20_000n);
    expect(new Set(won.map((w) => w.userId)).size).toBe(100);
    expect(won.map((w) => w.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Set(results.map(codeOf))).toEqual(new Set(['ok', 'packet_finished']));
    expect(won.every((w) => w.amount >= 1n)).toBe(true);

    const detail = await packets.detail(packetId, senderId);
    expect(detail).toMatchObject({ status: 'finished', remainingMinor: 0n, totalMinor: 20_000n });
    expect(detail.opened.map((o) => o.userId).sort()).toEqual(won.map((w) => w.userId).sort());
    expect(await balance(redPacketHoldingAccountId(packetId))).toBe(0n);
    for (const w of won.slice(0, 10)) expect(await balance(walletAccountId(w.userId))).toBe(w.amount);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  }, 240_000);

  it('one user racing themselves opens once; the other tries are already_opened', async () => {
    const racer = 'usr_RACER0000000000000000001';
    const groupId = await groupOf([racer]);
    const { packetId } = await packets.send(senderId, {
      groupId,
      kind: 'equal',
      amountMinor: 88n,
      currency: 'CNY',
      shares: 1,
      greeting: 'race',
      requestId: requestId(),
    });
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => packets.openPacket(packetId, racer)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.map(codeOf).filter((c) => c !== 'ok')).toEqual(new Array(49).fill('already_opened'));
    expect(await balance(walletAccountId(racer))).toBe(88n);
    expect(await packets.detail(packetId, racer)).toMatchObject({ status: 'finished', remainingMinor: 0n });
  });

  it('refunds the unopened rest once after 24 hours, however often the job runs', async () => {
    const clock = server.clock as ManualClock;
    const members = ['usr_EXPIRY000000000000000001', 'usr_EXPIRY000000000000000002'];
    const groupId = await groupOf(members);
    const before = await balance(walletAccountId(senderId));
    const { packetId, expiresAt } = await packets.send(senderId, {
      groupId,
      kind: 'lucky',
      amountMinor: 1_000n,
      currency: 'CNY',
      shares: 5,
      greeting: '',
      requestId: requestId(),
    });
    expect(expiresAt).toBe(clock.now() + DEFAULT_RED_PACKET_POLICY.lifetimeMs);
    expect(await packets.nextExpiry()).toBeLessThanOrEqual(expiresAt);
    const opened = (await Promise.all(members.map((m) => packets.openPacket(packetId, m)))).reduce((sum, s) => sum + s.amountMinor, 0n);

    clock.advance(DEFAULT_RED_PACKET_POLICY.lifetimeMs - 1);
    expect(await packets.refundExpired()).toBe(0);
    clock.advance(1);
    await expect(packets.openPacket(packetId, members[0])).rejects.toMatchObject({ code: 'already_opened' });
    const [first, second] = await Promise.all([packets.refundExpired(), packets.refundExpired()]);
    expect(first + second).toBe(1);
    expect(await packets.refundExpired()).toBe(0);

    expect(await balance(walletAccountId(senderId))).toBe(before - opened);
    expect(await balance(redPacketHoldingAccountId(packetId))).toBe(0n);
    expect(await packets.detail(packetId, senderId)).toMatchObject({ status: 'expired', remainingMinor: 1_000n - opened, refundedMinor: 1_000n - opened });
    expect(await packets.nextExpiry()).toBeNull();
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('refuses an open after the packet expired even before the job ran', async () => {
    const clock = server.clock as ManualClock;
    const member = 'usr_LATE00000000000000000001';
    const { packetId } = await packets.send(senderId, {
      groupId: await groupOf([member]),
      kind: 'equal',
      amountMinor: 1n,
      currency: 'CNY',
      shares: 1,
      greeting: '',
      requestId: requestId(),
    });
    clock.advance(DEFAULT_RED_PACKET_POLICY.lifetimeMs);
    await expect(packets.openPacket(packetId, member)).rejects.toMatchObject({ code: 'packet_expired' });
    expect((await packets.detail(packetId, member)).status).toBe('expired');
    expect(await packets.refundExpired()).toBe(1);
  });
});
