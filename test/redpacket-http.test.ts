// Red packets over HTTP through the real server in sandbox mode: sending with the spec's limits and
// refusals, opening once per member, the detail of who opened what, a group's packets newest first
// (paged, with their state and the viewer's share), the 24-hour refund by moving
// the sandbox clock, and 2,000 concurrent open requests from 120 members racing for 100 shares
// (exactly 100 succeed, the sum exact, nobody twice, no 5xx). The ledger audit is clean after.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { parseAmount } from '../src/money/amount.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { fund, newUsers, relogin, type TestUser } from './support/users.ts';

const DAY_S = 24 * 60 * 60;
const fen = (amount: string) => parseAmount(amount, 'CNY').minor;

describe.each(storesUnderTest())('red packets over HTTP (%s)', (store) => {
  let server: TestServer;
  let sender: TestUser;
  let members: TestUser[];
  let outsider: TestUser;
  let groupId: string;
  let seq = 0;
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const sendPacket = (body: Record<string, unknown>, by = sender) =>
    as(by, 'POST', '/v1/red-packets', { group_id: groupId, kind: 'lucky', currency: 'CNY', request_id: `rp-${++seq}`, ...body });
  const open = (user: TestUser, packetId: string) => as(user, 'POST', `/v1/red-packets/${packetId}/open`);
  const balance = async (user: TestUser) => (await as(user, 'GET', '/v1/wallet')).body.balance;
  /** Moves the sandbox clock; sessions do not outlive a simulated day, so the users log in again. */
  const advance = async (seconds: number) => {
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: seconds })).status).toBe(200);
    sender = await relogin(server, sender);
    members = await Promise.all(members.map((m) => relogin(server, m)));
  };

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
    [sender, outsider, ...members] = await newUsers(server, 5);
    await fund(server, sender, '1000.00');
    const created = await as(sender, 'POST', '/v1/groups', { name: 'Family', member_phones: members.map((m) => m.phone) });
    groupId = created.body.group_id;
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('sends a lucky packet, opens one share per member, and shows who opened what', async () => {
    const sent = await sendPacket({ amount: '10.00', shares: 2, greeting: '新年快乐' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const { packet_id: packetId, expires_at: expiresAt } = sent.body;
    expect(Date.parse(expiresAt) - Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now)).toBe(DAY_S * 1000);
    expect(await balance(sender)).toBe('990.00');

    const [a, b, c] = members;
    const first = await open(a, packetId);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect([(await open(a, packetId)).status, (await open(a, packetId)).body.code]).toEqual([409, 'already_opened']);
    const second = await open(b, packetId);
    expect(fen(first.body.amount) + fen(second.body.amount)).toBe(1000n);
    expect(fen(first.body.amount)).toBeGreaterThanOrEqual(1n);
    const late = await open(c, packetId);
    expect([late.status, late.body.code]).toEqual([409, 'packet_finished']);
    const stranger = await open(outsider, packetId);
    expect([stranger.status, stranger.body.code]).toEqual([403, 'not_a_member']);

    const detail = await as(c, 'GET', `/v1/red-packets/${packetId}`);
    expect(detail.body).toMatchObject({
      packet_id: packetId,
      kind: 'lucky',
      amount: '10.00',
      shares: 2,
      status: 'finished',
      remaining: '0.00',
      greeting: '新年快乐',
    });
    expect(detail.body.opened.map((o: { user_id: string; amount: string }) => [o.user_id, o.amount])).toEqual([
      [a.id, first.body.amount],
      [b.id, second.body.amount],
    ]);
    expect(await balance(a)).toBe(first.body.amount);
    expect((await as(outsider, 'GET', `/v1/red-packets/${packetId}`)).status).toBe(403);
    expect((await as(a, 'GET', `/v1/red-packets/rpk_${'x'.repeat(43)}`)).status).toBe(404);
  });

  it('replays a send by request id and refuses a reused one', async () => {
    const body = { amount: '1.00', shares: 1, request_id: `replay-${store}` };
    const first = await sendPacket(body);
    expect((await sendPacket(body)).body).toEqual(first.body);
    expect(await balance(sender)).toBe('989.00');
    const reused = await sendPacket({ ...body, amount: '2.00' });
    expect([reused.status, reused.body.code]).toEqual([409, 'request_id_reused']);
  });

  it('refuses packets outside the limits, without the funds, unverified, or to a group the sender is not in', async () => {
    const limit = async (body: Record<string, unknown>) => {
      const r = await sendPacket(body);
      return [r.status, r.body.code];
    };
    expect(await limit({ amount: '200.01', shares: 1 })).toEqual([422, 'packet_limit']);
    expect(await limit({ amount: '100.00', shares: 101 })).toEqual([422, 'packet_limit']);
    expect(await limit({ amount: '0.05', shares: 6 })).toEqual([422, 'packet_limit']);
    expect(await limit({ kind: 'equal', amount: '100.01', shares: 2 })).toEqual([422, 'packet_limit']);
    expect(await limit({ amount: '0.00', shares: 1 })).toEqual([400, 'amount_not_positive']);
    expect(await limit({ amount: '1.00', shares: 0 })).toEqual([400, 'invalid_request']);
    expect(await limit({ amount: '1.00', shares: 1, currency: 'USD' })).toEqual([400, 'currency_not_supported']);
    expect((await limit({ amount: '200.00', shares: 100 }))[0]).toBe(201);

    const [poor] = members;
    await server.call('POST', `/v1/admin/users/${poor.id}/verifications`, { level: 'II', reference: 'desk' });
    const broke = await sendPacket({ amount: '5000.00', shares: 1 }, poor);
    expect([broke.status, broke.body.code]).toEqual([422, 'packet_limit']);
    const noFunds = await sendPacket({ amount: '150.00', shares: 3 }, poor);
    expect([noFunds.status, noFunds.body.code]).toEqual([422, 'insufficient_funds']);
    const unverified = await sendPacket({ amount: '1.00', shares: 1 }, members[1]);
    expect([unverified.status, unverified.body.code]).toEqual([403, 'verification_required']);
    const notMember = await sendPacket({ amount: '1.00', shares: 1 }, outsider);
    expect([notMember.status, notMember.body.code]).toEqual([403, 'not_a_member']);
  });

  it("lists a group's packets newest first, paged, with their state and the viewer's share, to members only", async () => {
    const [a, b] = members;
    const feedGroup = (await as(sender, 'POST', '/v1/groups', { name: 'Feed', member_phones: [a.phone, b.phone] })).body.group_id;
    const sendTo = async (body: Record<string, unknown>) => {
      const sent = await sendPacket({ group_id: feedGroup, ...body });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      return sent.body.packet_id as string;
    };
    const oldest = await sendTo({ amount: '3.00', shares: 3, greeting: 'first' });
    await advance(1);
    const middle = await sendTo({ kind: 'equal', amount: '1.00', shares: 2 });
    await advance(1);
    const newest = await sendTo({ amount: '0.50', shares: 1 });
    const opened = await open(members[0], oldest);
    expect(opened.status).toBe(200);
    const feed = (user: TestUser, query = '') => as(user, 'GET', `/v1/groups/${feedGroup}/red-packets?limit=2${query}`);

    const first = await feed(members[0]);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.packets.map((p: { packet_id: string }) => p.packet_id)).toEqual([newest, middle]);
    expect(first.body.packets[1]).toMatchObject({ kind: 'equal', total: '2.00', shares: 2, opened_count: 0, remaining: '2.00', status: 'open', mine: null });
    const second = await feed(members[0], `&after=${first.body.next}`);
    expect(second.body.next).toBeNull();
    expect(second.body.packets).toHaveLength(1);
    expect(second.body.packets[0]).toMatchObject({ packet_id: oldest, greeting: 'first', opened_count: 1, mine: opened.body.amount, status: 'open' });
    expect(fen(second.body.packets[0].remaining) + fen(opened.body.amount)).toBe(300n);
    // Another member sees the same packets, with nothing of their own taken yet.
    const other = await as(members[1], 'GET', `/v1/groups/${feedGroup}/red-packets`);
    expect(other.body.packets.map((p: { mine: string | null }) => p.mine)).toEqual([null, null, null]);

    const stranger = await feed(outsider);
    expect([stranger.status, stranger.body.code]).toEqual([403, 'not_a_member']);
    expect((await feed(members[0], '&after=not-a-cursor')).status).toBe(400);
  });

  it('returns the unopened rest to the sender when the sandbox clock passes 24 hours, once', async () => {
    const sent = await sendPacket({ kind: 'equal', amount: '1.00', shares: 3 });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const packetId = sent.body.packet_id;
    await open(members[0], packetId);
    const before = fen(await balance(sender));
    await advance(DAY_S - 1);
    expect((await as(sender, 'GET', `/v1/red-packets/${packetId}`)).body.status).toBe('open');
    await advance(1);
    const detail = (await as(sender, 'GET', `/v1/red-packets/${packetId}`)).body;
    expect(detail).toMatchObject({ status: 'expired', remaining: '2.00', refunded: '2.00', amount: '1.00', total: '3.00' });
    const expired = await open(members[1], packetId);
    expect([expired.status, expired.body.code]).toEqual([410, 'packet_expired']);
    // Every earlier packet with shares left came back too; a further day changes nothing more.
    const refunded = fen(await balance(sender)) - before;
    expect(refunded).toBeGreaterThanOrEqual(200n);
    await advance(DAY_S);
    expect(fen(await balance(sender)) - before).toBe(refunded);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('2,000 concurrent open requests from 120 members for 100 shares: exactly 100 succeed, no 5xx', async () => {
    const crowd = await newUsers(server, 120);
    const crowdGroup = (await as(sender, 'POST', '/v1/groups', { name: 'Crowd', member_phones: crowd.map((m) => m.phone) })).body.group_id;
    const sent = await as(sender, 'POST', '/v1/red-packets', {
      group_id: crowdGroup,
      kind: 'lucky',
      amount: '200.00',
      currency: 'CNY',
      shares: 100,
      request_id: `crowd-${store}`,
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const packetId = sent.body.packet_id;
    const attempts = Array.from({ length: 2_000 }, (_, i) => crowd[i % crowd.length]);

    const replies = await Promise.all(attempts.map(async (user) => ({ user, reply: await open(user, packetId) })));

    const statuses = new Set(replies.map((r) => r.reply.status));
    expect([...statuses].sort()).toEqual([200, 409]);
    const won = replies.filter((r) => r.reply.status === 200);
    expect(won).toHaveLength(100);
    expect(new Set(won.map((w) => w.user.id)).size).toBe(100);
    expect(won.reduce((sum, w) => sum + fen(w.reply.body.amount), 0n)).toBe(20_000n);
    expect(new Set(replies.filter((r) => r.reply.status === 409).map((r) => r.reply.body.code))).toEqual(new Set(['already_opened', 'packet_finished']));
    const detail = (await as(sender, 'GET', `/v1/red-packets/${packetId}`)).body;
    expect(detail).toMatchObject({ status: 'finished', remaining: '0.00' });
    expect(detail.opened).toHaveLength(100);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  }, 180_000);
});
