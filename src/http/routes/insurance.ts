// Return-shipping insurance over HTTP: the quote on a trade, the caller's policies with their
// claim, the operator's daily loss-ratio report, and the purchase that rides on a trade payment.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { InsuranceError } from '../../modules/insurance/insurance-errors.ts';
import type { Trade } from '../../modules/trade/trade.ts';
import { formatMinor } from '../../money/amount.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { PoliciesOutput, QuoteOutput, ReportOutput, ReportQuery } from '../schemas/insurance.ts';
import { TradeParams } from '../schemas/trades.ts';
import { sessionUser } from './users.ts';

const tags = ['insurance'];
const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

export function insuranceRoutes(app: Formica): FastifyPluginAsyncZod {
  const security = [{ session: [] }];
  return async (server) => {
    server.get(
      '/v1/trades/:trade_no/return-insurance',
      {
        schema: {
          tags,
          security,
          summary: 'The return-shipping insurance premium and payout on this escrow trade',
          params: TradeParams,
          response: { 200: QuoteOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        const q = await app.insurance.quoteFor(await sessionUser(app, request), request.params.trade_no);
        return { premium: cny(q.premiumMinor), payout: cny(q.payoutMinor) };
      },
    );
    server.get(
      '/v1/insurance/policies',
      { schema: { tags, security, summary: "The caller's policies, each with its claim", response: { 200: PoliciesOutput, 401: ErrorOutput } } },
      async (request) => ({
        policies: (await app.insurance.policies(await sessionUser(app, request))).map((p) => ({
          policy_id: p.policy_id,
          trade_no: p.trade_no,
          premium: cny(p.premium_minor),
          payout: cny(p.payout_minor),
          status: p.status,
          created_at: new Date(Number(p.created_at)).toISOString(),
          claim: p.status === 'claimed' && p.claimed_at !== null ? { amount: cny(p.claim_minor), paid_at: new Date(Number(p.claimed_at)).toISOString() } : null,
        })),
      }),
    );
  };
}

export function insuranceAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  const security = [{ operator: [] }];
  return async (server) => {
    server.get(
      '/v1/admin/insurance/report',
      {
        schema: {
          tags,
          security,
          summary: "A day's premiums, claims and loss ratio (Asia/Shanghai)",
          querystring: ReportQuery,
          response: { 200: ReportOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const r = await app.insurance.report(request.query.date);
        return { date: r.date, premiums: cny(r.premiumsMinor), claims: cny(r.claimsMinor), loss_ratio: r.lossRatio };
      },
    );
  };
}

/** Buys the policy a payment asked for, once the trade is paid; a refusal leaves the payment standing and says why. */
export async function insureWithPayment(app: Formica, userId: string, trade: Trade) {
  if (trade.status !== 'WAIT_SELLER_SEND_GOODS') return { status: 'not_bought' as const, reason: 'not_paid' };
  try {
    const p = await app.insurance.buy(userId, trade.tradeNo);
    return { status: 'bought' as const, policy_id: p.policy_id, premium: cny(p.premium_minor), payout: cny(p.payout_minor) };
  } catch (error) {
    if (error instanceof InsuranceError) return { status: 'not_bought' as const, reason: error.code };
    throw error;
  }
}
