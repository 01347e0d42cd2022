// The collect-five-cards campaign over HTTP through the real server in sandbox mode: the operator
// funds a campaign; users earn cards by actions (the daily cap answers 429), give cards to friends
// only (403 to a stranger); the sandbox clock passes reveal_at and the reveal job pays every
// complete set its equal share to the fen, the remainder left in the pool; the reveal route then
// answers the same result, the cards are closed, and the ledger audit is clean.
// SQLite always; PostgreSQL when DATABASE_URL is set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { campaignPoolAccountId } from '../src/modules/books/chart.ts';
import { parseAmount } from '../src/money/amount.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';
import { newUsers, relogin, type TestUser } from './support/users.ts';

const DAY_S = 24 * 60 * 60;
const KINDS = ['富强', '爱国', '和谐', '友善', '敬业'];
const fen = (amount: string) => parseAmount(amount, 'CNY').minor;

describe.each(storesUnderTest())('the campaign over HTTP (%s)', (store) => {
  let server: TestServer;
  let users: TestUser[];
  let seq = 0;
  const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
  const act = (user: TestUser, id: string, action = 'scan_fu') => as(user, 'POST', `/v1/campaigns/${id}/actions`, { action, request_id: `act-${++seq}` });
  const cards = async (user: TestUser, id: string) => (await as(user, 'GET', `/v1/campaigns/${id}/cards`)).body;
  const now = async () => Date.parse((await server.call('GET', '/v1/sandbox/clock')).body.now);
  const campaignBody = async (id: string, over: Record<string, unknown> = {}) => ({
    campaign_id: id,
    name: '集五福',
    pool_amount: '100.00',
    currency: 'CNY',
    card_odds: { 富强: 100, 爱国: 100, 和谐: 100, 友善: 100, 敬业: 20 },
    daily_card_cap: 1_000,
    reveal_at: new Date((await now()) + 10 * DAY_S * 1000).toISOString(),
    split: 'equal',
    ...over,
  });
  const createCampaign = async (id: string, over: Record<string, unknown> = {}) => server.call('POST', '/v1/admin/campaigns', await campaignBody(id, over));
  /** Acts until the user holds every kind (the scarce one comes about once in 21 draws). */
  async function collectAll(user: TestUser, id: string): Promise<void> {
    for (let i = 0; i < 500 && !(await cards(user, id)).complete; i++) expect((await act(user, id)).status).toBe(200);
    expect((await cards(user, id)).complete).toBe(true);
  }

  beforeAll(async () => {
    server = await startTestServer({ store, sandbox: true });
    users = await newUsers(server, 5);
  }, 60_000);
  afterAll(async () => {
    await server?.close();
  });

  it('creates and funds a campaign once; refuses other terms, bad odds and a caller without the operator token', async () => {
    const created = await createCampaign('wufu-terms');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({
      campaign_id: 'wufu-terms',
      pool_amount: '100.00',
      currency: 'CNY',
      split: 'equal',
      status: 'open',
      daily_card_cap: 1_000,
    });
    const again = await server.call('POST', '/v1/admin/campaigns', { ...(await campaignBody('wufu-terms')), reveal_at: created.body.reveal_at });
    expect([again.status, again.body]).toEqual([201, created.body]);
    const other = await createCampaign('wufu-terms', { pool_amount: '1.00' });
    expect([other.status, other.body.code]).toEqual([409, 'campaign_exists']);
    const noOdds = await createCampaign('wufu-none', { card_odds: { 富强: 0, 爱国: 0, 和谐: 0, 友善: 0, 敬业: 0 } });
    expect([noOdds.status, noOdds.body.code]).toEqual([400, 'invalid_card_odds']);
    const missingKind = await createCampaign('wufu-four', { card_odds: { 富强: 1, 爱国: 1, 和谐: 1, 友善: 1 } });
    expect([missingKind.status, missingKind.body.code]).toEqual([400, 'invalid_request']);
    const asUser = await as(users[0], 'POST', '/v1/admin/campaigns', await campaignBody('wufu-user'));
    expect(asUser.status).toBe(401);
    const pool = await server.app.store.getAccount(campaignPoolAccountId('wufu-terms'));
    expect(pool?.creditsPosted).toBe(10_000n);
  });

  it('gives a card per action up to the daily cap, then 429 daily_card_cap', async () => {
    expect((await createCampaign('wufu-cap', { daily_card_cap: 2 })).status).toBe(201);
    const [user] = users;
    const first = await act(user, 'wufu-cap', 'add_friend');
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(KINDS).toContain(first.body.card);
    expect((await act(user, 'wufu-cap', 'daily_task')).status).toBe(200);
    const capped = await act(user, 'wufu-cap');
    expect([capped.status, capped.body.code]).toEqual([429, 'daily_card_cap']);
    const shown = await as(user, 'GET', '/v1/campaigns/wufu-cap');
    expect(shown.body).toMatchObject({ campaign_id: 'wufu-cap', name: '集五福', pool_amount: '100.00', daily_card_cap: 2, status: 'open' });
    expect(Date.parse(shown.body.reveal_at) - (await now())).toBe(10 * DAY_S * 1000);
    const hand = await cards(user, 'wufu-cap');
    expect(Object.keys(hand.cards).sort()).toEqual([...KINDS].sort());
    expect(Object.values(hand.cards as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2);
    expect((await as(user, 'POST', '/v1/campaigns/wufu-cap/actions', { action: 'dance', request_id: 'x' })).status).toBe(400);
    expect((await as(user, 'GET', '/v1/campaigns/nope/cards')).body.code).toBe('campaign_not_found');
    const hostile = [
      await as(user, 'POST', '/v1/campaigns/wufu-cap/gifts', { card: '富强', to_phone: '1390000000\u0000' }),
      await as(user, 'POST', '/v1/campaigns/wufu-cap/actions', { action: 'scan_fu', request_id: 'a\u0007b' }),
      await createCampaign('wufu-bad', { name: 'New\u0000Year' }),
    ];
    expect(hostile.map((r) => [r.status, r.body.code])).toEqual(Array(3).fill([400, 'invalid_request']));
  });

  it('pays complete sets their equal share at reveal_at; gifts only to friends; the pool keeps the remainder', async () => {
    const id = 'wufu-main';
    expect((await createCampaign(id)).status).toBe(201);
    const [a, b, c, stranger, partial] = users;
    expect((await as(a, 'POST', '/v1/friends', { phone: b.phone })).status).toBe(201);
    for (const user of [a, b, c]) await collectAll(user, id);
    for (let i = 0; i < 3; i++) await act(partial, id);

    // A gives a spare card to friend B, never to a stranger; A keeps a complete set.
    let hand = (await cards(a, id)).cards as Record<string, number>;
    while (!KINDS.some((k) => hand[k] >= 2)) {
      await act(a, id);
      hand = (await cards(a, id)).cards;
    }
    const spare = KINDS.find((k) => hand[k] >= 2)!;
    const refused = await as(a, 'POST', `/v1/campaigns/${id}/gifts`, { card: spare, to_phone: stranger.phone });
    expect([refused.status, refused.body.code]).toEqual([403, 'not_a_friend']);
    const before = (await cards(b, id)).cards[spare];
    const gift = await as(a, 'POST', `/v1/campaigns/${id}/gifts`, { card: spare, to_phone: b.phone });
    expect([gift.status, gift.body]).toEqual([200, { card: spare, to_user_id: b.id }]);
    expect((await cards(b, id)).cards[spare]).toBe(before + 1);
    expect((await cards(a, id)).cards[spare]).toBe(hand[spare] - 1);

    // Past reveal_at: the job reveals and pays 100.00 among three complete sets, 33.33 each, 0.01 left.
    expect((await server.call('POST', '/v1/sandbox/clock', { advance_seconds: 10 * DAY_S })).status).toBe(200);
    users = await Promise.all(users.map((u) => relogin(server, u)));
    const [a2, b2, c2, , partial2] = users;
    for (const winner of [a2, b2, c2]) expect((await as(winner, 'GET', '/v1/wallet')).body.balance).toBe('33.33');
    expect(fen((await as(partial2, 'GET', '/v1/wallet')).body.balance ?? '0.00')).toBe(0n);
    const revealed = await server.call('POST', `/v1/admin/campaigns/${id}/reveal`);
    expect(revealed.body).toEqual({ winners: 3, paid: '99.99', remainder: '0.01', status: 'revealed' });
    const pool = await server.app.store.getAccount(campaignPoolAccountId(id));
    expect((pool?.creditsPosted ?? 0n) - (pool?.debitsPosted ?? 0n)).toBe(1n);
    const closed = await act(a2, id);
    expect([closed.status, closed.body.code]).toEqual([409, 'campaign_closed']);
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });
});
