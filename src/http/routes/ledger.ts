// The ledger's operator API: batches of accounts and transfers in, one result per event out.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { notFound } from '../errors.ts';
import { markLoggedByRoute, operatorRequestEntry } from './audit.ts';
import {
  AccountOutput,
  AccountResults,
  AccountTransfersQuery,
  accountToWire,
  CreateAccountsBody,
  CreateTransfersBody,
  LedgerId,
  TransferOutput,
  TransferPageOutput,
  TransferResults,
  toAccountEvent,
  toTransferEvent,
  transferToWire,
} from '../schemas/ledger.ts';
import { ErrorOutput } from '../schemas/common.ts';

const IdParams = z.object({ id: LedgerId });
const tags = ['ledger'];
const security = [{ operator: [] }];

export function ledgerRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/ledger/accounts',
      {
        schema: {
          tags,
          security,
          summary: 'Create accounts (a batch; linked events succeed or fail together)',
          body: CreateAccountsBody,
          response: { 200: AccountResults, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const events = request.body.accounts.map(toAccountEvent);
        const results = await app.engine.createAccounts(events);
        return { results: results.map((result, i) => ({ id: events[i].id, result })) };
      },
    );

    server.post(
      '/v1/ledger/transfers',
      {
        schema: {
          tags,
          security,
          summary: 'Create transfers (plain, pending, post, void, balancing; linked chains)',
          body: CreateTransfersBody,
          response: { 200: TransferResults, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const events = request.body.transfers.map(toTransferEvent);
        // The operator's audit entry commits with the transfers (one durable commit, not two): the
        // answer is 200 whatever each transfer's result, as results are data.
        let logged = false;
        const outcomes = await app.engine.submitTransfers(events, [], async (tx) => {
          await app.audit.append(tx, operatorRequestEntry(request, 200));
          logged = true;
        });
        if (logged) markLoggedByRoute(request);
        return {
          results: outcomes.map((o, i) => ({ id: events[i].id, result: o.result, timestamp: o.timestamp?.toString() ?? null })),
        };
      },
    );

    server.get(
      '/v1/ledger/accounts/:id',
      { schema: { tags, security, summary: 'Look up an account', params: IdParams, response: { 200: AccountOutput, 404: ErrorOutput } } },
      async (request) => {
        const account = await app.store.getAccount(request.params.id);
        if (!account) throw notFound('account_not_found', `no account '${request.params.id}'`);
        return accountToWire(account);
      },
    );

    server.get(
      '/v1/ledger/transfers/:id',
      { schema: { tags, security, summary: 'Look up a transfer', params: IdParams, response: { 200: TransferOutput, 404: ErrorOutput } } },
      async (request) => {
        const transfer = await app.store.getTransfer(request.params.id);
        if (!transfer) throw notFound('transfer_not_found', `no transfer '${request.params.id}'`);
        return transferToWire(transfer);
      },
    );

    server.get(
      '/v1/ledger/accounts/:id/transfers',
      {
        schema: {
          tags,
          security,
          summary: "An account's transfers, oldest first, paged by timestamp",
          params: IdParams,
          querystring: AccountTransfersQuery,
          response: { 200: TransferPageOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const { id } = request.params;
        if (!(await app.store.getAccount(id))) throw notFound('account_not_found', `no account '${id}'`);
        const { limit, after, until, code, user_data } = request.query;
        const page = await app.store.listAccountTransfers(id, {
          limit,
          after: after === undefined ? undefined : BigInt(after),
          until: until === undefined ? undefined : BigInt(until),
          code,
          userData: user_data,
        });
        return { transfers: page.transfers.map(transferToWire), next: page.next?.toString() ?? null };
      },
    );
  };
}
