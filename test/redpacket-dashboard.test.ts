// The operations dashboard counts red packets per minute: packets sent, shares opened (refused
// opens not counted) and packets refunded by the 24-hour expiry, driven through the real server in
// sandbox mode, the refund by moving the sandbox clock. The counts are the server's own, so the
// embedded store is enough.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/http.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { fund, newUsers, type TestUser } from './support/users.ts';

const DAY_S = 24 * 60 * 60;

interface Activity {
  minute_starts: number[];
  packets_sent: number[];
  packets_opened: number[];
  packets_refunded: number[];
}

const sum = (series: number[]) => series.reduce((a, b) => a + b, 0);

describe('red packets on the operations dashboard', () => {
  let server: TestServer;
  let sender: TestUser;
  let a: TestUser;
  let b: TestUser;
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const activity = async (): Promise<Activity> => {
    const reply = await server.call('GET', '/v1/admin/dashboard');
    expect(reply.status).toBe(200);
    return reply.body.activity;
  };

  beforeAll(async () => {
    server = await startTestServer({ sandbox: true });
    [sender, a, b] = await newUsers(server, 3);
    await fund(server, sender, '100.00');
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('shows packets sent and shares opened in their minute, and the refund a day later', async () => {
    const group = await as(sender, 'POST', '/v1/groups', { name: 'Family', member_phones: [a.phone, b.phone] });
    const packet = async (requestId: string) => {
      const sent = await as(sender, 'POST', '/v1/red-packets', {
        group_id: group.body.group_id,
        kind: 'lucky',
        amount: '2.00',
        currency: 'CNY',
        shares: 2,
        request_id: requestId,
      });
      expect(sent.status, JSON.stringify(sent.body)).toBe(201);
      return sent.body.packet_id as string;
    };
    const finished = await packet('dash-1');
    const halfOpened = await packet('dash-2');
    for (const [user, packetId] of [
      [a, finished],
      [b, finished],
      [a, halfOpened],
    ] as const)
      expect((await as(user, 'POST', `/v1/red-packets/${packetId}/open`)).status).toBe(200);
    expect((await as(a, 'POST', `/v1/red-packets/${finished}/open`)).status).toBe(409);

    const now = await activity();
    expect(now.minute_starts).toHaveLength(60);
    expect([now.packets_sent.at(-1), now.packets_opened.at(-1), now.packets_refunded.at(-1)]).toEqual([2, 3, 0]);
    expect([sum(now.packets_sent), sum(now.packets_opened), sum(now.packets_refunded)]).toEqual([2, 3, 0]);

    // A day later the hour shows only the refund of the half-opened packet; the finished one has nothing to return.
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: DAY_S + 60 })).status).toBe(200);
    const later = await activity();
    expect([sum(later.packets_sent), sum(later.packets_opened), sum(later.packets_refunded)]).toEqual([0, 0, 1]);
    const refunded = await server.app.redPackets.detail(halfOpened, sender.id);
    expect([refunded.status, refunded.refundedMinor > 0n]).toEqual(['expired', true]);
  });
});
