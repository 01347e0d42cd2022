// Friends and groups over HTTP through the real server: friendship both ways and idempotent,
// groups with their members, paging, the 500-member cap, and who may look. SQLite always;
// PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { freshPhone, newUsers, type TestUser } from './support/users.ts';

describe.each(storesUnderTest())('friends and groups over HTTP (%s)', (store) => {
  let server: TestServer;
  let users: TestUser[];
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);

  beforeAll(async () => {
    server = await startTestServer({ store });
    users = await newUsers(server, 5);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('makes two users friends in both directions, once', async () => {
    const [a, b] = users;
    const first = await as(a, 'POST', '/v1/friends', { phone: b.phone });
    expect([first.status, first.body]).toEqual([201, { friend_id: b.id, added: true }]);
    const again = await as(b, 'POST', '/v1/friends', { phone: a.phone });
    expect(again.body).toEqual({ friend_id: a.id, added: false });
    expect((await as(a, 'GET', '/v1/friends')).body.friends.map((f: { user_id: string }) => f.user_id)).toEqual([b.id]);
    expect((await as(b, 'GET', '/v1/friends')).body.friends).toMatchObject([{ user_id: a.id, phone: a.phone }]);
    expect(await server.app.social.areFriends(a.id, b.id)).toBe(true);
    expect(await server.app.social.areFriends(a.id, users[2].id)).toBe(false);
  });

  it('refuses befriending oneself, an unknown phone, and a bad phone', async () => {
    const [a] = users;
    expect((await as(a, 'POST', '/v1/friends', { phone: a.phone })).body.code).toBe('self_friend');
    const unknown = await as(a, 'POST', '/v1/friends', { phone: freshPhone() });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'user_not_found']);
    expect((await as(a, 'POST', '/v1/friends', { phone: '12' })).status).toBe(400);
    expect((await send(`${server.url}/v1/friends`, undefined, 'POST', { phone: a.phone })).status).toBe(401);
  });

  it('pages friends without gaps or repeats', async () => {
    const [a, , c, d, e] = users;
    for (const other of [c, d, e]) await as(a, 'POST', '/v1/friends', { phone: other.phone });
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page = await as(a, 'GET', `/v1/friends?limit=2${after ? `&after=${after}` : ''}`);
      expect(page.body.friends.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.friends.map((f: { user_id: string }) => f.user_id));
      after = page.body.next;
    } while (after);
    expect(seen).toEqual([users[1].id, c.id, d.id, e.id].sort());
  });

  it('creates a group with the creator as a member; members page; outsiders are refused', async () => {
    const [a, b, c, , e] = users;
    const created = await as(a, 'POST', '/v1/groups', { name: 'Family', member_phones: [b.phone, c.phone, b.phone] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const groupId = created.body.group_id;
    expect((await as(c, 'GET', `/v1/groups/${groupId}`)).body).toMatchObject({ group_id: groupId, name: 'Family', owner_id: a.id, member_count: 3 });
    const first = await as(b, 'GET', `/v1/groups/${groupId}/members?limit=2`);
    const second = await as(b, 'GET', `/v1/groups/${groupId}/members?limit=2&after=${first.body.next}`);
    expect([...first.body.members, ...second.body.members].map((m: { user_id: string }) => m.user_id)).toEqual([a.id, b.id, c.id].sort());
    expect(second.body.next).toBeNull();
    const outsider = await as(e, 'GET', `/v1/groups/${groupId}/members`);
    expect([outsider.status, outsider.body.code]).toEqual([403, 'not_a_member']);
    expect((await as(e, 'POST', `/v1/groups/${groupId}/members`, { member_phones: [e.phone] })).status).toBe(403);
    expect((await as(b, 'GET', '/v1/groups')).body.groups.map((g: { group_id: string }) => g.group_id)).toContain(groupId);
    expect((await as(a, 'GET', '/v1/groups/grp_00000000000000000000000000')).status).toBe(404);
  });

  it('replays a group creation by request id and refuses an unknown member', async () => {
    const [a, b] = users;
    const body = { name: 'Tea club', member_phones: [b.phone], request_id: `tea-${store}` };
    const first = await as(a, 'POST', '/v1/groups', body);
    expect((await as(a, 'POST', '/v1/groups', body)).body).toEqual(first.body);
    const reused = await as(a, 'POST', '/v1/groups', { ...body, name: 'Coffee club' });
    expect([reused.status, reused.body.code]).toEqual([409, 'request_id_reused']);
    const unknown = await as(a, 'POST', '/v1/groups', { name: 'Ghosts', member_phones: [freshPhone()] });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'user_not_found']);
    expect((await as(a, 'POST', '/v1/groups', { name: '', member_phones: [] })).status).toBe(400);
  });

  it('holds a group to 500 members, checked when members are added too', async () => {
    const [a] = users;
    const tooMany = Array.from({ length: 500 }, () => freshPhone());
    expect((await as(a, 'POST', '/v1/groups', { name: 'Crowd', member_phones: tooMany })).status).toBe(400);
    const owner = users[0].id;
    // Members by id through the service: 499 registered users would only slow the test down.
    const ghostIds = Array.from({ length: 498 }, (_, i) => `usr_GHOST${String(i).padStart(21, '0')}`);
    const group = await server.app.social.createGroup(owner, { name: 'Almost full', memberIds: ghostIds });
    expect(group.memberCount).toBe(499);
    const grown = await as(a, 'POST', `/v1/groups/${group.groupId}/members`, { member_phones: [users[1].phone] });
    expect([grown.status, grown.body.member_count]).toEqual([200, 500]);
    const full = await as(a, 'POST', `/v1/groups/${group.groupId}/members`, { member_phones: [users[2].phone] });
    expect([full.status, full.body.code]).toEqual([422, 'group_full']);
    expect((await server.app.social.group(group.groupId)).memberCount).toBe(500);
  });
});
