// Card routes for the logged-in user (bind, confirm, list; top-up and withdrawal through a bound
// card) and the operator's resolve of channel operations whose bank answer was unknown.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { ChannelOperation, MoneyInput } from '../../modules/cards/card-payments.ts';
import type { Card, CardSummary } from '../../modules/cards/cards.ts';
import { formatMinor } from '../../money/amount.ts';
import { ErrorOutput } from '../schemas/common.ts';
import {
  BindCardBody,
  CardListOutput,
  CardMoneyBody,
  CardOutput,
  CardParams,
  ConfirmCardBody,
  ResolveOutput,
  TopupOutput,
  WithdrawalOutput,
} from '../schemas/cards.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['cards'];
const security = [{ session: [] }];
const errors = { 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput, 503: ErrorOutput };

function cardToWire(c: Card) {
  return { card_id: c.cardId, bank: c.bank, status: c.status, ...(c.status === 'bound' ? { last4: c.last4 } : {}) };
}

function summaryToWire(c: CardSummary) {
  return { ...cardToWire(c), channels: c.channels.map((ch) => ({ bank: ch.bank, status: ch.status, fee_bps: ch.feeBps })) };
}

function moneyInput(b: { card_id: string; amount: string; currency: string; request_id: string }): MoneyInput {
  return { cardId: b.card_id, amountMinor: positiveMinor(b.amount, b.currency), currency: b.currency, requestId: b.request_id };
}

async function operationToWire(app: Formica, userId: string, op: ChannelOperation) {
  const reason = op.status === 'failed' && op.reason ? { reason: op.reason } : {};
  if (op.status !== 'succeeded') return { status: op.status, ...reason };
  const s = await app.wallet.summary(userId);
  return { status: op.status, balance: formatMinor(s.balanceMinor, s.currency) };
}

export function cardRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/cards',
      { schema: { tags, security, summary: 'Start binding a card: the bank sends an SMS code', body: BindCardBody, response: { 200: CardOutput, ...errors } } },
      async (request) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        return cardToWire(await app.cards.bind(userId, { bank: b.bank, cardNo: b.card_no, name: b.name, idNo: b.id_no, phone: b.phone }));
      },
    );

    server.post(
      '/v1/cards/:id/confirm',
      {
        schema: {
          tags,
          security,
          summary: 'Confirm a binding with the SMS code',
          params: CardParams,
          body: ConfirmCardBody,
          response: { 200: CardOutput, ...errors },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return cardToWire(await app.cards.confirm(userId, request.params.id, request.body.sms_code, request.body.bank));
      },
    );

    server.get(
      '/v1/cards',
      {
        schema: {
          tags,
          security,
          summary: "The session user's cards (last four digits only) and the banks each is bound at",
          response: { 200: CardListOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return { cards: (await app.cards.list(userId)).map(summaryToWire) };
      },
    );

    server.post(
      '/v1/wallet/topups',
      {
        schema: {
          tags,
          security,
          summary: 'Top up the wallet from a bound card (idempotent on request_id)',
          body: CardMoneyBody,
          response: { 200: TopupOutput, ...errors },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const op = await app.cardPayments.topup(userId, moneyInput(request.body));
        return { topup_id: op.opId, ...(await operationToWire(app, userId, op)) };
      },
    );

    server.post(
      '/v1/wallet/withdrawals',
      {
        schema: {
          tags,
          security,
          summary: 'Withdraw to a bound card (idempotent on request_id)',
          body: CardMoneyBody,
          response: { 200: WithdrawalOutput, ...errors },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const op = await app.cardPayments.withdraw(userId, moneyInput(request.body));
        return { withdrawal_id: op.opId, ...(await operationToWire(app, userId, op)) };
      },
    );
  };
}

export function cardAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/admin/channel-operations/resolve',
      {
        schema: {
          tags: ['admin'],
          security: [{ operator: [] }],
          summary: 'Query the banks about pending card operations and settle them',
          response: { 200: ResolveOutput },
        },
      },
      async () => app.cardPayments.resolvePending(),
    );
  };
}
