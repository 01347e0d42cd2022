// Money-market fund routes: the operator's funds, income, accruals and holiday calendar; the public
// fund list and yield history and the risk questionnaire; a user's subscriptions, redemptions,
// holdings and risk profile. Thin: parsing here, every rule in modules/fund.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import type { RedemptionEntry } from '../../modules/fund/fund.ts';
import type { Fund } from '../../modules/fund/fund-catalog.ts';
import { shanghaiDate } from '../../modules/fund/fund-calendar.ts';
import type { SweepSetting } from '../../modules/fund/fund-sweep.ts';
import { formatIncomePer10k, parseIncomePer10k } from '../../modules/fund/fund-income.ts';
import { SHARE_CURRENCY } from '../../modules/fund/fund-ledger.ts';
import { FAST_REDEMPTION_CAP_MINOR } from '../../modules/fund/fund-steps.ts';
import { QUESTIONS } from '../../modules/fund/risk-questionnaire.ts';
import { formatMinor, parseMinor } from '../../money/amount.ts';
import { badRequest } from '../errors.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { encodePageCursor } from '../../text/page-cursor.ts';
import {
  AccrualBody,
  AccrualOutput,
  CreateFundBody,
  DailyYieldOutput,
  FastRedemptionOutput,
  FastRedemptionQuery,
  FundOutput,
  FundParams,
  FundsOutput,
  HolidaysBody,
  HolidaysOutput,
  HoldingsOutput,
  IncomeBody,
  QuestionnaireOutput,
  RedemptionBody,
  RedemptionOutput,
  RedemptionsOutput,
  RedemptionsQuery,
  RiskProfileBody,
  RiskProfileOutput,
  SubscriptionBody,
  SubscriptionOutput,
  SweepBody,
  SweepOutput,
  YieldsOutput,
  YieldsQuery,
} from '../schemas/fund.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { cursorBefore } from './paging.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['fund'];
const adminTags = ['fund (operator)'];
const session = [{ session: [] }];
const operator = [{ operator: [] }];

const cash = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
const shares = (minor: bigint) => formatMinor(minor, SHARE_CURRENCY);

function fundToWire(f: Fund) {
  return {
    fund_id: f.fundId,
    name: f.name,
    manager: f.manager,
    custodian: f.custodian,
    risk_level: f.riskLevel,
    daily_purchase_cap: f.dailyCapMinor === null ? null : cash(f.dailyCapMinor),
  };
}

const yieldToWire = (d: { date: string; rE4: bigint; sevenDayYield: string | null }) => ({
  date: d.date,
  income_per_10k: formatIncomePer10k(d.rE4),
  seven_day_yield: d.sevenDayYield,
});

const redemptionToWire = (r: RedemptionEntry) => ({
  redemption_id: r.redemptionId,
  fund_id: r.fundId,
  shares: shares(r.sharesMinor),
  mode: r.mode,
  card_id: r.cardId ?? null,
  status: r.paidTo === undefined ? ('pending' as const) : ('completed' as const),
  arrives_on: r.arrivesOn,
  paid_to: r.paidTo ?? null,
  created_at: new Date(r.createdAt).toISOString(),
});

function sweepToWire(s: SweepSetting | undefined) {
  return {
    fund_id: s?.fundId ?? null,
    floor: s ? cash(s.floorMinor) : null,
    enabled: s?.enabled ?? false,
    last_swept_date: s?.lastSweptDate || null,
    last_result: s?.lastResult || null,
  };
}

export function fundAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/admin/funds',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: 'Create a fund (opens its cash and share accounts)',
          body: CreateFundBody,
          response: { 201: FundOutput, 400: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const fund = await app.fund.catalog.create(
          {
            fundId: b.fund_id,
            name: b.name,
            manager: b.manager ?? '',
            custodian: b.custodian ?? '',
            riskLevel: b.risk_level,
            dailyCapMinor: b.daily_purchase_cap === undefined ? null : positiveMinor(b.daily_purchase_cap, PLATFORM_CURRENCY.code),
          },
          app.clock.now(),
        );
        reply.status(201);
        return fundToWire(fund);
      },
    );

    server.post(
      '/v1/admin/funds/:fund_id/income',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: "Publish a day's income per 10,000 shares; the accrual runs once the day is over",
          params: FundParams,
          body: IncomeBody,
          response: { 201: DailyYieldOutput, 400: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request, reply) => {
        const day = await app.fund.publishIncome(request.params.fund_id, request.body.date, parseIncomePer10k(request.body.income_per_10k));
        reply.status(201);
        return yieldToWire(day);
      },
    );

    server.post(
      '/v1/admin/funds/:fund_id/accruals',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: "Pay a published day's income to every holder now (a rerun pays nothing and answers the same)",
          params: FundParams,
          body: AccrualBody,
          response: { 200: AccrualOutput, 400: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        const result = await app.fund.accrue(request.params.fund_id, request.body.date);
        return { date: result.date, holders: Number(result.holders), paid: shares(result.paidMinor) };
      },
    );

    server.put(
      '/v1/admin/calendar/holidays',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: 'Replace the list of holidays (weekends are always closed)',
          body: HolidaysBody,
          response: { 200: HolidaysOutput, 400: ErrorOutput },
        },
      },
      async (request) => ({ dates: await app.fund.setHolidays(request.body.dates) }),
    );
  };
}

export function fundRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/funds',
      { schema: { tags, summary: 'The funds, with the latest income per 10,000 shares and 7-day yield', response: { 200: FundsOutput } } },
      async () => {
        const today = shanghaiDate(app.clock.now());
        const funds = await app.fund.catalog.list();
        return {
          funds: await Promise.all(
            funds.map(async (f) => {
              const latest = await app.fund.catalog.latest(f.fundId, today);
              return {
                fund_id: f.fundId,
                name: f.name,
                risk_level: f.riskLevel,
                income_per_10k: latest && formatIncomePer10k(latest.rE4),
                seven_day_yield: latest?.sevenDayYield ?? null,
              };
            }),
          ),
        };
      },
    );

    server.get(
      '/v1/funds/:fund_id/yields',
      {
        schema: {
          tags,
          summary: 'The published days of the last `days` calendar days, oldest first',
          params: FundParams,
          querystring: YieldsQuery,
          response: { 200: YieldsOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        await app.fund.catalog.require(request.params.fund_id);
        const days = await app.fund.catalog.yields(request.params.fund_id, shanghaiDate(app.clock.now()), request.query.days);
        return { yields: days.map(yieldToWire) };
      },
    );

    server.get(
      '/v1/risk-questionnaire',
      {
        schema: { tags, summary: 'The suitability questions; options run from the most cautious to the most tolerant', response: { 200: QuestionnaireOutput } },
      },
      async () => ({
        questions: QUESTIONS.map((q) => ({ id: q.id, text: q.text, options: q.options.map((o) => ({ text: o.text })) })),
      }),
    );

    server.put(
      '/v1/me/risk-profile',
      {
        schema: {
          tags,
          security: session,
          summary: 'Answer the questionnaire: the risk tolerance, 1 to 5',
          body: RiskProfileBody,
          response: { 200: RiskProfileOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return { risk_tolerance: await app.fund.setRiskProfile(userId, request.body.answers) };
      },
    );

    server.post(
      '/v1/fund/subscriptions',
      {
        schema: {
          tags,
          security: session,
          summary: 'Buy shares with the wallet balance (idempotent on request_id); pending until the confirmation date',
          body: SubscriptionBody,
          response: { 201: SubscriptionOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const amountMinor = positiveMinor(b.amount, b.currency);
        const s = await app.fund.subscribe(userId, { fundId: b.fund_id, amountMinor, currency: b.currency, requestId: b.request_id });
        reply.status(201);
        return { subscription_id: s.subscriptionId, status: s.status, confirm_date: s.confirmDate };
      },
    );

    server.post(
      '/v1/fund/redemptions',
      {
        schema: {
          tags,
          security: session,
          summary:
            'Sell shares: fast to the wallet at once (10,000.00 CNY per fund per day) or normal on the next trading day, to the wallet or a bound card (`card_id`)',
          body: RedemptionBody,
          response: { 201: RedemptionOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const sharesMinor = parseMinor(b.shares, SHARE_CURRENCY);
        if (sharesMinor === 0n) throw badRequest('amount_not_positive', 'shares must be greater than zero');
        const r = await app.fund.redeem(userId, { fundId: b.fund_id, sharesMinor, mode: b.mode, requestId: b.request_id, cardId: b.card_id });
        reply.status(201);
        return { redemption_id: r.redemptionId, status: r.status, arrives_on: r.arrivesOn };
      },
    );

    server.get(
      '/v1/fund/redemptions',
      {
        schema: {
          tags,
          security: session,
          summary: "The user's redemptions, newest first, paged: pending until they arrive, then where the money went",
          querystring: RedemptionsQuery,
          response: { 200: RedemptionsOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const page = await app.fund.redemptionsOf(userId, { limit: request.query.limit, before: cursorBefore(request.query.before) });
        return { redemptions: page.redemptions.map(redemptionToWire), next: page.next && encodePageCursor(page.next) };
      },
    );

    server.get(
      '/v1/fund/fast-redemption',
      {
        schema: {
          tags,
          security: session,
          summary: "The day's fast redemption cap in one fund and what is left of it today",
          querystring: FastRedemptionQuery,
          response: { 200: FastRedemptionOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const left = await app.fund.fastRedemptionLeft(userId, request.query.fund_id);
        return { fund_id: request.query.fund_id, cap: cash(FAST_REDEMPTION_CAP_MINOR), left: cash(left) };
      },
    );

    server.get(
      '/v1/me/fund-sweep',
      {
        schema: {
          tags,
          security: session,
          summary: "The automatic sweep of the wallet's idle balance above a floor into a fund",
          response: { 200: SweepOutput, 401: ErrorOutput },
        },
      },
      async (request) => sweepToWire(await app.fund.sweep.get(await sessionUser(app, request))),
    );

    server.put(
      '/v1/me/fund-sweep',
      {
        schema: {
          tags,
          security: session,
          summary: 'Turn the sweep on or off: each day at 14:30 (Shanghai) the balance above `floor` is subscribed to the fund',
          body: SweepBody,
          response: { 200: SweepOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 404: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const floorMinor = parseMinor(b.floor, PLATFORM_CURRENCY);
        return sweepToWire(await app.fund.sweep.set(userId, { fundId: b.fund_id, floorMinor, enabled: b.enabled }));
      },
    );

    server.get(
      '/v1/fund/holdings',
      {
        schema: {
          tags,
          security: session,
          summary: "The user's shares, pending shares and income in each fund",
          response: { 200: HoldingsOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const holdings = await app.fund.holdings(userId);
        return {
          holdings: holdings.map((h) => ({
            fund_id: h.fundId,
            confirmed_shares: shares(h.confirmedSharesMinor),
            pending_shares: shares(h.pendingSharesMinor),
            yesterday_income: shares(h.yesterdayIncomeMinor),
            total_income: shares(h.totalIncomeMinor),
          })),
        };
      },
    );
  };
}
