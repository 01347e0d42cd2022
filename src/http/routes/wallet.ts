// Wallet routes for the logged-in user: balance and limits, transfers by phone, the statement, and
// the activity (what the user did, as people read it).
// Every route acts on the session's own wallet only; no route takes a wallet or user id.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { type ActivityFilter, type ActivityItem, WalletActivity } from '../../modules/wallet/activity.ts';
import { activityCsv, activityReceiptPdf } from '../../modules/wallet/activity-export.ts';
import type { LimitUsage } from '../../modules/wallet/wallet.ts';
import { findCurrency } from '../../money/currency.ts';
import { formatMinor, parseAmount } from '../../money/amount.ts';
import { badRequest, notFound } from '../errors.ts';
import { ActivityExportQuery, ActivityItemOutput, ActivityOutput, ActivityParams, ActivityQuery } from '../schemas/activity.ts';
import { preferredLang } from '../../text/lang.ts';
import { encodePageCursor } from '../../text/page-cursor.ts';
import { DocumentLangQuery, ErrorOutput } from '../schemas/common.ts';
import { RefusalOutput, StatementOutput, StatementQuery, TransferBody, TransferOutput, WalletOutput } from '../schemas/wallet.ts';
import { cursorBefore } from './paging.ts';
import { sessionUser } from './users.ts';

const tags = ['wallet'];
const security = [{ session: [] }];
/** An export holds at most this many lines: a month of a busy wallet, not its whole history. */
const EXPORT_MAX_LINES = 5000;

/** A positive amount in minor units; zero moves nothing and is refused. */
export function positiveMinor(amount: string, currency: string): bigint {
  const money = parseAmount(amount, currency);
  if (money.minor === 0n) throw badRequest('amount_not_positive', 'amount must be greater than zero');
  return money.minor;
}

function limitToWire(l: LimitUsage, currency: { code: string; scale: number; ledger: number; name: string }) {
  return {
    name: l.name,
    period: l.period,
    limit: formatMinor(l.limitMinor, currency),
    used: formatMinor(l.usedMinor, currency),
    left: formatMinor(l.leftMinor, currency),
  };
}

function activityToWire(item: ActivityItem) {
  const currency = findCurrency(item.currency);
  return {
    id: item.id,
    kind: item.kind,
    direction: item.direction,
    amount: currency ? formatMinor(item.amountMinor, currency) : item.amountMinor.toString(),
    currency: item.currency,
    status: item.status,
    counterparty: item.counterparty,
    memo: item.memo,
    created_at: new Date(item.createdAt).toISOString(),
  };
}

/** Every line passing `filter`, newest first, up to the export's cap. */
async function allLines(activity: WalletActivity, userId: string, filter: ActivityFilter): Promise<ActivityItem[]> {
  const items: ActivityItem[] = [];
  let before: Parameters<WalletActivity['page']>[1]['before'];
  do {
    const page = await activity.page(userId, { limit: 100, before, filter });
    items.push(...page.items);
    before = page.next ?? undefined;
  } while (before && items.length < EXPORT_MAX_LINES);
  return items.slice(0, EXPORT_MAX_LINES);
}

export function walletRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    const activity = new WalletActivity(app.sql, app.identity, app.cards, app.merchants);
    server.get(
      '/v1/wallet',
      { schema: { tags, security, summary: 'Balance, currency, and the limits used and left', response: { 200: WalletOutput, 401: ErrorOutput } } },
      async (request) => {
        const userId = await sessionUser(app, request);
        const s = await app.wallet.summary(userId);
        return {
          balance: formatMinor(s.balanceMinor, s.currency),
          available: formatMinor(s.availableMinor, s.currency),
          incoming_pending: formatMinor(s.incomingPendingMinor, s.currency),
          currency: s.currency.code,
          level: s.level,
          limits: s.limits.map((l) => limitToWire(l, s.currency)),
        };
      },
    );

    server.post(
      '/v1/wallet/transfers',
      {
        schema: {
          tags,
          security,
          summary: 'Pay another user by phone from the balance (idempotent on request_id)',
          body: TransferBody,
          response: { 200: TransferOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const amountMinor = positiveMinor(b.amount, b.currency);
        const t = await app.wallet.transfer(userId, {
          toPhone: b.to_phone,
          amountMinor,
          currency: b.currency,
          requestId: b.request_id,
          memo: b.memo ?? '',
          pin: b.payment_pin,
        });
        const currency = parseAmount('0', t.currency).currency;
        return {
          transfer_id: t.transferId,
          request_id: t.requestId,
          to_user_id: t.toUserId,
          amount: formatMinor(t.amountMinor, currency),
          currency: t.currency,
          memo: t.memo,
          status: t.status,
        };
      },
    );

    server.get(
      '/v1/wallet/activity',
      {
        schema: {
          tags,
          security,
          summary: 'What the user did, one line per payment, transfer, top-up or withdrawal, newest first, paged',
          querystring: ActivityQuery,
          response: { 200: ActivityOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const { limit, before, month, kind } = request.query;
        const page = await activity.page(userId, { limit, before: cursorBefore(before), filter: { month, kind } });
        return { items: page.items.map(activityToWire), next: page.next && encodePageCursor(page.next) };
      },
    );

    server.get(
      '/v1/wallet/activity/export',
      {
        schema: {
          tags,
          security,
          summary: `The activity as CSV (text/csv), newest first, filtered like the list; at most ${EXPORT_MAX_LINES} lines`,
          querystring: ActivityExportQuery,
          response: { 200: z.any().meta({ description: 'text/csv' }), 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const items = await allLines(activity, userId, request.query);
        const name = `formica-activity${request.query.month ? `-${request.query.month}` : ''}${request.query.kind ? `-${request.query.kind}` : ''}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(activityCsv(items));
      },
    );

    const oneLine = async (userId: string, id: string) => {
      const item = await activity.one(userId, id);
      if (!item) throw notFound('activity_not_found', `no activity line '${id}' in this wallet`);
      return item;
    };
    server.get(
      '/v1/wallet/activity/:id',
      {
        schema: {
          tags,
          security,
          summary: 'One line of the activity (its detail page)',
          params: ActivityParams,
          response: { 200: ActivityItemOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => activityToWire(await oneLine(await sessionUser(app, request), request.params.id)),
    );

    server.get(
      '/v1/wallet/activity/:id/receipt',
      {
        schema: {
          tags,
          security,
          summary: "A line's receipt as a one-page PDF (application/pdf), in Chinese or English",
          params: ActivityParams,
          querystring: DocumentLangQuery,
          response: { 200: z.any().meta({ description: 'application/pdf' }), 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request, reply) => {
        const item = await oneLine(await sessionUser(app, request), request.params.id);
        const file = `formica-receipt-${item.id.replace(/[^A-Za-z0-9_-]/g, '_')}.pdf`;
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${file}"`)
          .send(await activityReceiptPdf(item, preferredLang(request.query.lang, request.headers['accept-language'])));
      },
    );

    server.get(
      '/v1/wallet/statement',
      {
        schema: {
          tags,
          security,
          summary: "The wallet's ledger transfers, oldest first, paged",
          querystring: StatementQuery,
          response: { 200: StatementOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const { limit, after } = request.query;
        const page = await app.wallet.statement(userId, { limit, after: after === undefined ? undefined : BigInt(after) });
        const currency = parseAmount('0', 'CNY').currency;
        return {
          lines: page.lines.map((l) => ({
            transfer_id: l.transferId,
            kind: l.kind,
            direction: l.direction,
            amount: formatMinor(l.amountMinor, currency),
            currency: currency.code,
            state: l.state,
            memo: l.memo,
            timestamp: l.timestamp.toString(),
          })),
          next: page.next?.toString() ?? null,
        };
      },
    );
  };
}
