// Red packets for the logged-in user: send to a group, open a share, read who opened what, and a
// group's packets newest first.
// Thin: validate, find the session's user, call the red packet service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { formatMinor } from '../../money/amount.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { FeedOutput, FeedQuery, OpenOutput, PacketOutput, PacketParams, SendBody, SendOutput } from '../schemas/redpacket.ts';
import { GroupParams } from '../schemas/social.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['red packets'];
const security = [{ session: [] }];
const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
const iso = (ms: number) => new Date(ms).toISOString();

/** The senders' display names, one lookup per sender on the page. */
async function senderNames(app: Formica, packets: readonly { senderId: string }[]): Promise<Map<string, string>> {
  const ids = [...new Set(packets.map((p) => p.senderId))];
  const users = await Promise.all(ids.map((id) => app.identity.getUser(id)));
  return new Map(ids.map((id, i) => [id, users[i]?.name ?? '']));
}

export function redPacketRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/red-packets',
      {
        schema: {
          tags,
          security,
          summary: 'Send a lucky or equal red packet to a group (idempotent on request_id)',
          body: SendBody,
          response: { 201: SendOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const sent = await app.redPackets.send(userId, {
          groupId: b.group_id,
          kind: b.kind,
          amountMinor: positiveMinor(b.amount, b.currency),
          currency: b.currency,
          shares: b.shares,
          greeting: b.greeting ?? '',
          requestId: b.request_id,
        });
        reply.status(201);
        return { packet_id: sent.packetId, expires_at: iso(sent.expiresAt) };
      },
    );

    server.post(
      '/v1/red-packets/:packet_id/open',
      {
        schema: {
          tags,
          security,
          summary: "Open the packet: the caller's share, once per member",
          params: PacketParams,
          response: { 200: OpenOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: RefusalOutput, 410: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const share = await app.redPackets.openPacket(request.params.packet_id, userId);
        return { amount: cny(share.amountMinor) };
      },
    );

    server.get(
      '/v1/groups/:group_id/red-packets',
      {
        schema: {
          tags,
          security,
          summary: "The group's red packets, newest first, paged, with their state and the caller's share (members only)",
          params: GroupParams,
          querystring: FeedQuery,
          response: { 200: FeedOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.redPackets.feed(request.params.group_id, await sessionUser(app, request), request.query);
        const names = await senderNames(app, page.packets);
        return {
          packets: page.packets.map((p) => ({
            packet_id: p.packetId,
            sender_id: p.senderId,
            sender_name: names.get(p.senderId) ?? '',
            kind: p.kind,
            total: cny(p.totalMinor),
            currency: PLATFORM_CURRENCY.code,
            shares: p.shares,
            opened_count: p.openedCount,
            remaining: cny(p.remainingMinor),
            greeting: p.greeting,
            status: p.status,
            created_at: iso(p.createdAt),
            expires_at: iso(p.expiresAt),
            mine: p.mineMinor === null ? null : cny(p.mineMinor),
          })),
          next: page.next,
        };
      },
    );

    server.get(
      '/v1/red-packets/:packet_id',
      {
        schema: {
          tags,
          security,
          summary: 'The packet, its status and who opened what (group members only)',
          params: PacketParams,
          response: { 200: PacketOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const p = await app.redPackets.detail(request.params.packet_id, await sessionUser(app, request));
        return {
          packet_id: p.packetId,
          sender_id: p.senderId,
          group_id: p.groupId,
          kind: p.kind,
          amount: cny(p.amountMinor),
          total: cny(p.totalMinor),
          currency: PLATFORM_CURRENCY.code,
          shares: p.shares,
          greeting: p.greeting,
          status: p.status,
          remaining: cny(p.remainingMinor),
          refunded: cny(p.refundedMinor),
          expires_at: iso(p.expiresAt),
          opened: p.opened.map((o) => ({ user_id: o.userId, amount: cny(o.amountMinor), at: iso(o.at) })),
        };
      },
    );
  };
}
