// Friends and groups for the logged-in user. Thin: validate, find the session's user, call the
// social service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { GroupSummary } from '../../modules/social/social.ts';
import { ErrorOutput } from '../schemas/common.ts';
import {
  AddMembersBody,
  FriendBody,
  FriendOutput,
  FriendsOutput,
  GroupBody,
  GroupCreated,
  GroupOutput,
  GroupParams,
  GroupsOutput,
  MembersOutput,
  PageQuery,
} from '../schemas/social.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { sessionUser } from './users.ts';

const tags = ['social'];
const security = [{ session: [] }];
const iso = (ms: number) => new Date(ms).toISOString();

function groupToWire(g: GroupSummary) {
  return { group_id: g.groupId, name: g.name, owner_id: g.ownerId, member_count: g.memberCount, created_at: iso(g.createdAt) };
}

export function socialRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/friends',
      {
        schema: {
          tags,
          security,
          summary: 'Befriend the user with this phone (both directions; again changes nothing)',
          body: FriendBody,
          response: { 201: FriendOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const { friendId, added } = await app.social.addFriend(userId, request.body.phone);
        reply.status(201);
        return { friend_id: friendId, added };
      },
    );

    server.get(
      '/v1/friends',
      { schema: { tags, security, summary: "The caller's friends, paged", querystring: PageQuery, response: { 200: FriendsOutput, 401: ErrorOutput } } },
      async (request) => {
        const page = await app.social.friends(await sessionUser(app, request), request.query);
        return { friends: page.items.map((f) => ({ user_id: f.userId, phone: f.phone, name: f.name, since: iso(f.since) })), next: page.next };
      },
    );

    server.post(
      '/v1/groups',
      {
        schema: {
          tags,
          security,
          summary: 'Create a group of the caller and these users (at most 500 members)',
          body: GroupBody,
          response: { 201: GroupCreated, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const group = await app.social.createGroupByPhones(userId, { name: b.name, memberPhones: b.member_phones, requestId: b.request_id });
        reply.status(201);
        return { group_id: group.groupId };
      },
    );

    server.get(
      '/v1/groups',
      {
        schema: {
          tags,
          security,
          summary: 'The groups the caller belongs to, paged',
          querystring: PageQuery,
          response: { 200: GroupsOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.social.groups(await sessionUser(app, request), request.query);
        return { groups: page.items.map(groupToWire), next: page.next };
      },
    );

    server.get(
      '/v1/groups/:group_id',
      {
        schema: {
          tags,
          security,
          summary: 'A group the caller belongs to',
          params: GroupParams,
          response: { 200: GroupOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        await app.social.requireMember(request.params.group_id, userId);
        return groupToWire(await app.social.group(request.params.group_id));
      },
    );

    server.get(
      '/v1/groups/:group_id/members',
      {
        schema: {
          tags,
          security,
          summary: "A group's members, paged (members only)",
          params: GroupParams,
          querystring: PageQuery,
          response: { 200: MembersOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.social.members(request.params.group_id, await sessionUser(app, request), request.query);
        return { members: page.items.map((m) => ({ user_id: m.userId, joined_at: iso(m.joinedAt) })), next: page.next };
      },
    );

    server.post(
      '/v1/groups/:group_id/members',
      {
        schema: {
          tags,
          security,
          summary: 'Add users to a group (members only; the group stays within 500)',
          params: GroupParams,
          body: AddMembersBody,
          response: { 200: GroupOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return groupToWire(await app.social.addMembersByPhones(request.params.group_id, userId, request.body.member_phones));
      },
    );
  };
}
