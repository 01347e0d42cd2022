// The buyer's side of trades (session Bearer token; a buyer sees and acts on their own trades
// only): the paycode, paying from the wallet, confirming, extending, disputes, the list; and the
// operator's dispute decision. Thin: the trade service decides everything.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { Dispute, Trade } from '../../modules/trade/trade.ts';
import { formatMinor } from '../../money/amount.ts';
import { findCurrency } from '../../money/currency.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import {
  ConfirmPaymentBody,
  DecisionBody,
  DisputeBody,
  DisputeOutput,
  PayBody,
  PaycodeOutput,
  PayOutput,
  TradeOutput,
  TradeParams,
  TradesOutput,
  TradesQuery,
} from '../schemas/trades.ts';
import { insureWithPayment } from './insurance.ts';
import { payTradeLater } from './credit.ts';
import { sessionUser } from './users.ts';

const tags = ['trades'];
const security = [{ session: [] }];
const CNY = findCurrency('CNY')!;
const errors = { 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput, 503: ErrorOutput };

export function tradeToWire(t: Trade) {
  return {
    trade_no: t.tradeNo,
    out_trade_no: t.outTradeNo,
    merchant_id: t.merchantId,
    subject: t.subject,
    total_amount: formatMinor(t.totalAmountMinor, CNY),
    refunded_amount: formatMinor(t.refundedMinor, CNY),
    currency: t.currency,
    product_code: t.productCode,
    trade_status: t.status,
    created_at: t.createdAtMs,
    timeout_at: t.timeoutAtMs,
    paid_at: t.paidAtMs ?? null,
    closed_at: t.closedAtMs ?? null,
    shipped_at: t.shippedAtMs ?? null,
    logistics_type: t.logisticsType ?? null,
    waybill_no: t.waybillNo ?? null,
    confirm_due_at: t.confirmDueAtMs ?? null,
    extended: t.extended,
    funding_source: t.fundingSource ?? null,
  };
}

function disputeToWire(d: Dispute) {
  return {
    trade_no: d.tradeNo,
    status: d.status,
    reason: d.reason,
    answer: d.answer ?? null,
    operator_note: d.operatorNote ?? null,
    created_at: d.createdAtMs,
    decided_at: d.decidedAtMs ?? null,
  };
}

export function tradeRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/wallet/paycode',
      { schema: { tags, security, summary: 'A one-time code to pay at a till (short-lived)', response: { 200: PaycodeOutput, 401: ErrorOutput } } },
      async (request) => {
        const code = await app.trades.issuePaycode(await sessionUser(app, request));
        return { auth_code: code.authCode, expires_at: code.expiresAtMs };
      },
    );

    server.get(
      '/v1/trades',
      {
        schema: {
          tags,
          security,
          summary: "The buyer's paid trades, newest first, paged",
          querystring: TradesQuery,
          response: { 200: TradesOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.trades.listForBuyer(await sessionUser(app, request), request.query);
        return { trades: page.trades.map(tradeToWire), next: page.next };
      },
    );

    const action = { tags, security, params: TradeParams, response: { 200: TradeOutput, ...errors } };
    const payDoc = 'Pay the trade from the wallet, or from a bound card with card_id (idempotent on request_id); 202 while the bank has not answered';
    // A balance payment's refusals name the limit, with what is used and left (as on wallet transfers).
    const payResponses = { 200: PayOutput, 202: PayOutput, ...errors, 403: RefusalOutput, 422: RefusalOutput };
    server.post('/v1/trades/:trade_no/pay', { schema: { ...action, summary: payDoc, body: PayBody, response: payResponses } }, async (request, reply) => {
      const userId = await sessionUser(app, request);
      const { trade_no: tradeNo } = request.params;
      const { request_id: requestId, card_id: cardId, return_insurance: insure, funding, payment_pin: pin } = request.body;
      // The policy rides on the payment: bought once the trade is paid; a replay buys it if it was not.
      const insurance = async (trade: Trade) => (insure ? { return_insurance: await insureWithPayment(app, userId, trade) } : {});
      // From the balance the PIN makes the payment two-factor; with a card or the pay-later line it is only checked.
      const fromBalance = cardId === undefined && funding !== 'paylater';
      if (pin !== undefined && !fromBalance) await app.trades.checkPin(userId, pin);
      if (cardId === undefined) {
        const trade = fromBalance ? await app.trades.payWithWallet(userId, tradeNo, requestId, pin) : await payTradeLater(app, userId, tradeNo, requestId);
        return { ...tradeToWire(trade), ...(await insurance(trade)) };
      }
      const paid = await app.trades.payWithCard(userId, tradeNo, requestId, cardId);
      // Accepted, not done: the bank's answer is unknown; a replay or the timers finish the payment.
      if (paid.funding.status === 'pending') reply.status(202);
      return {
        ...tradeToWire(paid.trade),
        funding: { source: 'card' as const, card_id: paid.funding.cardId, status: paid.funding.status },
        ...(await insurance(paid.trade)),
      };
    });
    server.post('/v1/trades/:trade_no/confirm', { schema: { ...action, summary: 'Confirm receipt: the escrow settles to the seller' } }, async (request) => {
      return tradeToWire(await app.trades.confirm(await sessionUser(app, request), request.params.trade_no));
    });
    server.post('/v1/trades/:trade_no/extend', { schema: { ...action, summary: 'Extend the confirm timeout once' } }, async (request) => {
      return tradeToWire(await app.trades.extend(await sessionUser(app, request), request.params.trade_no));
    });
    server.post(
      '/v1/trades/:trade_no/confirm-payment',
      {
        schema: {
          tags,
          security,
          summary: 'Confirm with the payment PIN an in-store payment the merchant was told is waiting (10003)',
          params: TradeParams,
          body: ConfirmPaymentBody,
          response: { 200: TradeOutput, ...errors },
        },
      },
      async (request) => tradeToWire(await app.trades.confirmWithPin(await sessionUser(app, request), request.params.trade_no, request.body.payment_pin)),
    );
    server.post(
      '/v1/trades/:trade_no/cancel',
      { schema: { ...action, summary: 'Cancel an escrow trade the seller has not shipped 5 days after payment: a full refund' } },
      async (request) => {
        return tradeToWire(await app.trades.cancelUnshipped(await sessionUser(app, request), request.params.trade_no));
      },
    );

    server.post(
      '/v1/trades/:trade_no/disputes',
      {
        schema: {
          tags,
          security,
          summary: 'Ask for a refund: pauses the confirm timer until an operator decides',
          params: TradeParams,
          body: DisputeBody,
          response: { 201: DisputeOutput, ...errors },
        },
      },
      async (request, reply) => {
        const dispute = await app.trades.openDispute(await sessionUser(app, request), request.params.trade_no, request.body.reason);
        reply.status(201);
        return disputeToWire(dispute);
      },
    );
  };
}

/** Operator only (registered behind the operator token). */
export function tradeAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/admin/trades/:trade_no/dispute-decision',
      {
        schema: {
          tags,
          security: [{ operator: [] }],
          summary: 'Decide a dispute: refund the buyer or release to the seller',
          params: TradeParams,
          body: DecisionBody,
          response: { 200: DisputeOutput, ...errors },
        },
      },
      async (request) => disputeToWire(await app.trades.decideDispute(request.params.trade_no, request.body.decision, request.body.note)),
    );
  };
}
