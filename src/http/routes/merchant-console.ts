// The merchant console's routes, for the owner and staff logged in with their own user session:
// every route under /v1/merchant-console/merchants/:merchant_id checks the caller's role for what
// it does (merchant-roles.ts), and a user who is not on the merchant's staff gets 404, as if it did
// not exist. Also a user's self-service application, and the operator's decision on it.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { Application } from '../../modules/merchant/merchant-applications.ts';
import type { MerchantAction } from '../../modules/merchant/merchant-roles.ts';
import type { PayoutAccount } from '../../modules/merchant/merchant-payouts.ts';
import type { StaffMember } from '../../modules/merchant/merchant-staff.ts';
import type { ChannelOperation, OperationRecord } from '../../modules/cards/card-payments.ts';
import { decodeTradesCursor, encodeTradesCursor, type Refund, type TradeTimeline } from '../../modules/trade/trade.ts';
import { formatMinor } from '../../money/amount.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { MerchantError } from '../../modules/merchant/merchant-errors.ts';
import { badRequest } from '../errors.ts';
import { ErrorOutput } from '../schemas/common.ts';
import {
  AddStaffBody,
  ApplicationBody,
  ApplicationOutput,
  ApplicationParams,
  ApplicationsQuery,
  BalanceOutput,
  ConsoleBillParams,
  ConsoleKeyBody,
  ConsoleNotificationParams,
  ConsoleParams,
  ConsoleRefundBody,
  ConsoleStaffParams,
  ConsoleTradeParams,
  ConsoleTradesQuery,
  DecisionBody,
  DisputeAnswerBody,
  MyMerchantsOutput,
  PayoutAccountBody,
  PayoutAccountOutput,
  SdkConfigOutput,
  StaffOutput,
  WithdrawalBody,
  WithdrawalOutput,
} from '../schemas/merchant-console.ts';
import { dailyBill, notificationToWire } from './merchants.ts';
import { tradeToWire } from './trades.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['merchant console'];
const security = [{ session: [] }];
/** Answers whose shape the route builds itself (documented by the summary). */
const Answer = z.record(z.string(), z.unknown());
const errors = { 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput };
const PREFIX = '/v1/merchant-console/merchants/:merchant_id';
const money = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

/** The caller's membership of the merchant named in the path, if their role allows `action`. */
async function member(app: Formica, request: FastifyRequest, merchantId: string, action: MerchantAction): Promise<StaffMember> {
  const userId = await sessionUser(app, request);
  return app.merchants.staff.authorize(userId, merchantId, action);
}

function staffToWire(m: StaffMember) {
  return { merchant_id: m.merchantId, user_id: m.userId, role: m.role, added_at: m.addedAt };
}

function refundToWire(r: Refund) {
  return {
    trade_no: r.tradeNo,
    out_request_no: r.outRequestNo,
    refund_amount: money(r.refundAmountMinor),
    refunded_total: money(r.refundedTotalMinor),
    fund_change: r.fundChange,
    gmt_refund: r.gmtRefundMs,
  };
}

function timelineToWire(t: TradeTimeline) {
  return {
    trade: tradeToWire(t.trade),
    events: t.events,
    refunds: t.refunds.map((r) => ({
      out_request_no: r.outRequestNo,
      amount: money(r.amountMinor),
      status: r.status,
      reason: r.reason,
      created_at: r.createdAt,
      gmt_refund: r.gmtRefund ?? null,
    })),
    dispute: t.dispute
      ? {
          status: t.dispute.status,
          reason: t.dispute.reason,
          answer: t.dispute.answer ?? null,
          operator_note: t.dispute.operatorNote ?? null,
          created_at: t.dispute.createdAtMs,
          decided_at: t.dispute.decidedAtMs ?? null,
        }
      : null,
    notifications: t.notifications.map(notificationToWire),
  };
}

function payoutAccountToWire(a: PayoutAccount) {
  return { card_id: a.cardId, last4: a.last4, owner_user_id: a.userId, set_at: a.setAt };
}

function withdrawalToWire(op: ChannelOperation | OperationRecord) {
  const details = 'amountMinor' in op ? { amount: money(op.amountMinor), currency: op.currency, bank: op.bank, created_at: op.createdAt } : {};
  return { withdrawal_id: op.opId, status: op.status, reason: op.reason, ...details };
}

export function applicationToWire(a: Application) {
  return {
    application_id: a.applicationId,
    user_id: a.userId,
    name: a.name,
    credit_code: a.creditCode,
    contact_name: a.contactName,
    status: a.status,
    check_result: a.checkResult,
    merchant_id: a.merchantId ?? null,
    note: a.note,
    created_at: a.createdAt,
    decided_at: a.decidedAt ?? null,
  };
}

export function merchantConsoleRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/merchant-console/merchants',
      { schema: { tags, security, summary: 'The merchants you work for, with your role in each', response: { 200: MyMerchantsOutput, 401: ErrorOutput } } },
      async (request) => {
        const memberships = await app.merchants.staff.merchantsOf(await sessionUser(app, request));
        const merchants = await Promise.all(memberships.map(async (m) => ({ m, merchant: await app.merchants.require(m.merchantId) })));
        return { merchants: merchants.map(({ m, merchant }) => ({ merchant_id: m.merchantId, name: merchant.name, app_id: merchant.appId, role: m.role })) };
      },
    );

    server.get(
      `${PREFIX}/staff`,
      { schema: { tags, security, summary: 'The owner and staff (owner only)', params: ConsoleParams, response: { 200: Answer, ...errors } } },
      async (request) => {
        await member(app, request, request.params.merchant_id, 'manage_staff');
        return { staff: (await app.merchants.staff.list(request.params.merchant_id)).map(staffToWire) };
      },
    );

    server.post(
      `${PREFIX}/staff`,
      {
        schema: {
          tags,
          security,
          summary: 'Add a registered user by phone with a role (owner only)',
          params: ConsoleParams,
          body: AddStaffBody,
          response: { 201: StaffOutput, ...errors },
        },
      },
      async (request, reply) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_staff');
        const added = await app.merchants.staff.add(me.merchantId, me.userId, request.body.phone, request.body.role);
        reply.status(201);
        return staffToWire(added);
      },
    );

    server.delete(
      `${PREFIX}/staff/:user_id`,
      {
        schema: {
          tags,
          security,
          summary: 'Remove someone from the staff; the last owner stays (owner only)',
          params: ConsoleStaffParams,
          response: { 204: z.null(), ...errors },
        },
      },
      async (request, reply) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_staff');
        await app.merchants.staff.remove(me.merchantId, me.userId, request.params.user_id);
        return reply.status(204).send(null);
      },
    );

    server.get(
      `${PREFIX}/trades`,
      {
        schema: {
          tags,
          security,
          summary: 'Trades, newest first, by status, creation time or out_trade_no; paged by `limit` and `cursor` (`next_cursor`)',
          params: ConsoleParams,
          querystring: ConsoleTradesQuery,
          response: { 200: Answer, ...errors },
        },
      },
      async (request) => {
        const q = request.query;
        const after = q.cursor === undefined ? q.after : decodeTradesCursor(q.cursor);
        if (q.cursor !== undefined && (after === undefined || q.after !== undefined))
          throw badRequest('invalid_cursor', '`cursor` must be the `next_cursor` of a previous page, without `after`');
        const me = await member(app, request, request.params.merchant_id, 'view_trades');
        const page = await app.trades.listForMerchant(me.merchantId, {
          status: q.status,
          fromMs: q.from,
          toMs: q.to,
          outTradeNo: q.out_trade_no,
          limit: q.limit,
          after,
        });
        return { trades: page.trades.map(tradeToWire), next: page.next, next_cursor: page.next && encodeTradesCursor(page.next) };
      },
    );

    server.get(
      `${PREFIX}/trades/:trade_no`,
      {
        schema: {
          tags,
          security,
          summary: "A trade's timeline: events, refunds, dispute, notifications",
          params: ConsoleTradeParams,
          response: { 200: Answer, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'view_trades');
        return timelineToWire(await app.trades.timeline(me.merchantId, request.params.trade_no));
      },
    );

    server.post(
      `${PREFIX}/trades/:trade_no/refunds`,
      {
        schema: {
          tags,
          security,
          summary: 'Refund all or part of a trade, with the reason (idempotent on out_request_no)',
          params: ConsoleTradeParams,
          body: ConsoleRefundBody,
          response: { 200: Answer, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'refund');
        const b = request.body;
        const refund = await app.trades.refund(
          me.merchantId,
          { tradeNo: request.params.trade_no },
          { refundAmountMinor: positiveMinor(b.amount, b.currency), outRequestNo: b.out_request_no, reason: b.reason },
        );
        return refundToWire(refund);
      },
    );

    server.post(
      `${PREFIX}/trades/:trade_no/dispute-answer`,
      {
        schema: {
          tags,
          security,
          summary: "The seller's answer to the buyer's dispute, with its evidence; an operator decides after",
          params: ConsoleTradeParams,
          body: DisputeAnswerBody,
          response: { 200: Answer, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'answer_dispute');
        const d = await app.trades.answerDispute(me.merchantId, request.params.trade_no, request.body.answer);
        return { trade_no: d.tradeNo, status: d.status, reason: d.reason, answer: d.answer ?? null };
      },
    );

    server.get(
      `${PREFIX}/bills/:date`,
      { schema: { tags, security, summary: "A closed day's bill (Asia/Shanghai), CSV", params: ConsoleBillParams, response: { 200: z.string(), ...errors } } },
      async (request, reply) => {
        const me = await member(app, request, request.params.merchant_id, 'download_bill');
        const bill = await dailyBill(app, await app.merchants.require(me.merchantId), request.params.date);
        return reply.header('content-disposition', `attachment; filename="${bill.filename}"`).type('text/csv; charset=utf-8').send(bill.csv);
      },
    );

    server.get(
      `${PREFIX}/notifications/failed`,
      { schema: { tags, security, summary: 'Notifications that gave up after every retry', params: ConsoleParams, response: { 200: Answer, ...errors } } },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_notifications');
        return { notifications: (await app.trades.listFailedNotifications(me.merchantId)).map(notificationToWire) };
      },
    );

    server.post(
      `${PREFIX}/notifications/:notify_id/resend`,
      { schema: { tags, security, summary: 'Send a failed notification again now', params: ConsoleNotificationParams, response: { 200: Answer, ...errors } } },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_notifications');
        return notificationToWire(await app.trades.resendNotification(me.merchantId, request.params.notify_id));
      },
    );

    server.get(
      `${PREFIX}/sdk-config`,
      {
        schema: {
          tags,
          security,
          summary: "What to paste into the SDK's configuration (the private key stays with you)",
          params: ConsoleParams,
          response: { 200: SdkConfigOutput, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_keys');
        return sdkConfig(app, request, me.merchantId);
      },
    );

    server.post(
      `${PREFIX}/keys`,
      {
        schema: {
          tags,
          security,
          summary: "Replace the app's public key (the old one stops working at once)",
          params: ConsoleParams,
          body: ConsoleKeyBody,
          response: { 200: SdkConfigOutput, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_keys');
        await app.merchants.rotateKey(me.merchantId, request.body.public_key, me.userId);
        return { ...(await sdkConfig(app, request, me.merchantId)), key_rotated: true };
      },
    );

    server.get(
      `${PREFIX}/balance`,
      { schema: { tags, security, summary: 'The settlement balance', params: ConsoleParams, response: { 200: BalanceOutput, ...errors } } },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'view_balance');
        const merchant = await app.merchants.require(me.merchantId);
        const account = await app.store.getAccount(merchant.settlementAccountId);
        const balance = (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
        return { balance: money(balance), available: money(balance - (account?.debitsPending ?? 0n)), currency: PLATFORM_CURRENCY.code };
      },
    );

    server.put(
      `${PREFIX}/payout-account`,
      {
        schema: {
          tags,
          security,
          summary: "Name one of your own bound cards as the merchant's bank account for withdrawals (owner only)",
          params: ConsoleParams,
          body: PayoutAccountBody,
          response: { 200: PayoutAccountOutput, ...errors },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'manage_payout_account');
        return payoutAccountToWire(await app.merchantPayouts.setAccount(me.merchantId, me.userId, request.body.card_id));
      },
    );

    server.get(
      `${PREFIX}/payout-account`,
      { schema: { tags, security, summary: 'Where withdrawals go', params: ConsoleParams, response: { 200: PayoutAccountOutput, ...errors } } },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'withdraw');
        const account = await app.merchantPayouts.account(me.merchantId);
        if (!account) throw new MerchantError('payout_account_missing', 'the owner has not named a bank account for withdrawals yet');
        return payoutAccountToWire(account);
      },
    );

    server.post(
      `${PREFIX}/withdrawals`,
      {
        schema: {
          tags,
          security,
          summary: 'Withdraw from the settlement balance to the bank account: pending until the bank answers (idempotent on request_id)',
          params: ConsoleParams,
          body: WithdrawalBody,
          response: { 200: WithdrawalOutput, ...errors, 503: ErrorOutput },
        },
      },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'withdraw');
        const b = request.body;
        const op = await app.merchantPayouts.withdraw(me.merchantId, me.userId, {
          amountMinor: positiveMinor(b.amount, b.currency),
          currency: b.currency,
          requestId: b.request_id,
        });
        return withdrawalToWire(op);
      },
    );

    server.get(
      `${PREFIX}/withdrawals`,
      { schema: { tags, security, summary: 'Withdrawals, newest first, as they stand', params: ConsoleParams, response: { 200: Answer, ...errors } } },
      async (request) => {
        const me = await member(app, request, request.params.merchant_id, 'withdraw');
        return { withdrawals: (await app.merchantPayouts.withdrawals(me.merchantId)).map(withdrawalToWire) };
      },
    );

    server.post(
      '/v1/merchant-applications',
      {
        schema: {
          tags,
          security,
          summary: 'Apply to become a merchant; the business is checked, then an operator decides',
          body: ApplicationBody,
          response: { 201: ApplicationOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const application = await app.merchants.applications.submit(userId, {
          name: b.name,
          creditCode: b.credit_code,
          contactName: b.contact_name,
          publicKeyPem: b.public_key,
          notifyUrl: b.notify_url,
        });
        reply.status(201);
        return applicationToWire(application);
      },
    );

    server.get(
      '/v1/merchant-applications',
      { schema: { tags, security, summary: 'Your applications and their decisions', response: { 200: Answer, 401: ErrorOutput } } },
      async (request) => {
        return { applications: (await app.merchants.applications.mine(await sessionUser(app, request))).map(applicationToWire) };
      },
    );
  };
}

async function sdkConfig(app: Formica, request: FastifyRequest, merchantId: string) {
  const merchant = await app.merchants.require(merchantId);
  const base = `${request.protocol}://${request.host}`;
  return { app_id: merchant.appId, gateway: `${base}/gateway.do`, endpoint: base, sign_type: 'RSA2' as const, alipay_public_key: app.platformKeys.publicPem };
}

/** The operator's side: the applications waiting, and the decision after the check. */
export function merchantApplicationAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  const adminTags = ['admin'];
  const operator = [{ operator: [] }];
  return async (server) => {
    server.get(
      '/v1/admin/merchant-applications',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: 'Applications by status, oldest first, with the business check',
          querystring: ApplicationsQuery,
        },
      },
      async (request) => {
        return { applications: (await app.merchants.applications.list(request.query.status)).map(applicationToWire) };
      },
    );

    server.post(
      '/v1/admin/merchant-applications/:id/decision',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: 'Approve (registers the merchant, the applicant its owner) or reject',
          params: ApplicationParams,
          body: DecisionBody,
          response: { 200: ApplicationOutput, 400: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        const b = request.body;
        const decision = b.decision === 'approve' ? { decision: b.decision, feeBps: b.fee_bps, note: b.note } : { decision: b.decision, note: b.note };
        return applicationToWire(await app.merchants.applications.decide(request.params.id, decision));
      },
    );
  };
}
