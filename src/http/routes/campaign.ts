// The collect-five-cards campaign: the operator creates and funds a campaign and may reveal it
// (a job also reveals it at reveal_at); users earn cards by actions, read their cards and give one
// to a friend. Thin: validate, find the session's user, call the campaign service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import type { CampaignSummary, RevealSummary } from '../../modules/campaign/campaign.ts';
import { formatMinor } from '../../money/amount.ts';
import {
  ActionBody,
  ActionOutput,
  CampaignOutput,
  CampaignParams,
  CardsOutput,
  CreateCampaignBody,
  GiftBody,
  GiftOutput,
  RevealOutput,
} from '../schemas/campaign.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

function campaignToWire(c: CampaignSummary) {
  return {
    campaign_id: c.campaignId,
    name: c.name,
    pool_amount: cny(c.poolMinor),
    currency: c.currency,
    card_odds: { ...c.odds },
    daily_card_cap: c.dailyCardCap,
    reveal_at: new Date(c.revealAt).toISOString(),
    split: c.split,
    status: c.status,
  };
}

function revealToWire(r: RevealSummary) {
  return { winners: r.winners, paid: cny(r.paidMinor), remainder: cny(r.remainderMinor), status: r.status };
}

/** Behind the operator token. */
export function campaignAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  const tags = ['campaign (operator)'];
  const security = [{ operator: [] }];
  return async (server) => {
    server.post(
      '/v1/admin/campaigns',
      {
        schema: {
          tags,
          security,
          summary: 'Create a campaign and fund its prize pool from the campaign funding account (again with the same terms: the same campaign)',
          body: CreateCampaignBody,
          response: { 201: CampaignOutput, 400: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const created = await app.campaigns.create({
          campaignId: b.campaign_id,
          name: b.name,
          poolMinor: positiveMinor(b.pool_amount, b.currency),
          currency: b.currency,
          odds: b.card_odds,
          dailyCardCap: b.daily_card_cap,
          revealAt: Date.parse(b.reveal_at),
          split: b.split,
        });
        reply.status(201);
        return campaignToWire(created);
      },
    );

    server.post(
      '/v1/admin/campaigns/:id/reveal',
      {
        schema: {
          tags,
          security,
          summary: 'Reveal now: close the campaign, split the pool among complete sets and pay them (resumes a reveal left unfinished)',
          params: CampaignParams,
          response: { 200: RevealOutput, 404: ErrorOutput },
        },
      },
      async (request) => revealToWire(await app.campaigns.reveal(request.params.id)),
    );
  };
}

/** For the logged-in user. */
export function campaignRoutes(app: Formica): FastifyPluginAsyncZod {
  const tags = ['campaign'];
  const security = [{ session: [] }];
  return async (server) => {
    server.post(
      '/v1/campaigns/:id/actions',
      {
        schema: {
          tags,
          security,
          summary: 'An action that earns a card (at most the daily cap; a replayed request_id returns its card)',
          params: CampaignParams,
          body: ActionBody,
          response: { 200: ActionOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 429: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return { card: await app.campaigns.act(request.params.id, userId, request.body.action, request.body.request_id) };
      },
    );

    server.get(
      '/v1/campaigns/:id',
      {
        schema: {
          tags,
          security,
          summary: 'The campaign: its pool, odds, daily cap, reveal time (for the countdown) and status',
          params: CampaignParams,
          response: { 200: CampaignOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        await sessionUser(app, request);
        return campaignToWire(await app.campaigns.campaign(request.params.id));
      },
    );

    server.get(
      '/v1/campaigns/:id/cards',
      {
        schema: {
          tags,
          security,
          summary: "The caller's cards of each kind and whether they make a complete set",
          params: CampaignParams,
          response: { 200: CardsOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => app.campaigns.hand(request.params.id, await sessionUser(app, request)),
    );

    server.post(
      '/v1/campaigns/:id/gifts',
      {
        schema: {
          tags,
          security,
          summary: 'Give one of your cards to a friend (friends only)',
          params: CampaignParams,
          body: GiftBody,
          response: { 200: GiftOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const gift = await app.campaigns.gift(request.params.id, userId, { card: b.card, toPhone: b.to_phone, requestId: b.request_id });
        return { card: b.card, to_user_id: gift.toUserId };
      },
    );
  };
}
