// Bills for the logged-in user: find a biller, look a bill up, pay it, read the payment and its
// receipt (PDF), and authorize automatic monthly payments. Thin: validate, call the bills service.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import type { PaymentRow } from '../../modules/bills/bill-steps.ts';
import type { SettlementRow } from '../../modules/bills/settlement-steps.ts';
import { billerOf } from '../../modules/bills/directory.ts';
import { receiptPdf } from '../../modules/bills/receipt-pdf.ts';
import { BillError } from '../../modules/bills/bills-errors.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { formatMinor } from '../../money/amount.ts';
import {
  AutopayBody,
  AutopayCreated,
  AutopayParams,
  AutopaysOutput,
  BillersOutput,
  BillersQuery,
  BillOutput,
  BillQuery,
  PaymentOutput,
  PaymentParams,
  PayBody,
  PayOutput,
  SettlementParams,
  SettlementsOutput,
} from '../schemas/bills.ts';
import { preferredLang } from '../../text/lang.ts';
import { DocumentLangQuery, ErrorOutput } from '../schemas/common.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['bills'];
const security = [{ session: [] }];
const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
const iso = (ms: bigint | number) => new Date(Number(ms)).toISOString();

export function billRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/billers',
      { schema: { tags, summary: 'Billers by city and kind', querystring: BillersQuery, response: { 200: BillersOutput } } },
      async (request) => ({
        billers: app.bills
          .billers(request.query)
          .map((b) => ({ charge_inst: b.chargeInst, name: b.name, name_en: b.nameEn, kind: b.kind, city: b.city, city_en: b.cityEn })),
      }),
    );

    server.get(
      '/v1/bills',
      {
        schema: {
          tags,
          security,
          summary: 'The amount due on an account, looked up from the biller',
          querystring: BillQuery,
          response: { 200: BillOutput, 401: ErrorOutput, 404: ErrorOutput, 503: ErrorOutput },
        },
      },
      async (request) => {
        await sessionUser(app, request);
        const bill = await app.bills.lookup(request.query.charge_inst, request.query.bill_key);
        return {
          charge_inst: bill.chargeInst,
          bill_key: bill.billKey,
          holder_masked: bill.holderMasked,
          amount_due: cny(bill.dueMinor),
          due_date: bill.dueDate,
        };
      },
    );

    server.post(
      '/v1/bill-payments',
      {
        schema: {
          tags,
          security,
          summary: 'Pay a bill from the balance or a bound card (idempotent on request_id)',
          body: PayBody,
          response: { 201: PayOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput, 503: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const amountMinor = positiveMinor(b.amount, b.currency);
        const paid = await app.bills.pay(userId, {
          chargeInst: b.charge_inst,
          billKey: b.bill_key,
          amountMinor,
          currency: b.currency,
          funding: b.funding ?? 'balance',
          requestId: b.request_id,
        });
        reply.status(201);
        return { payment_id: paid.payment_id, status: paid.status === 'failed' ? 'refunded' : paid.status };
      },
    );

    server.get(
      '/v1/bill-payments/:payment_id',
      {
        schema: {
          tags,
          security,
          summary: 'A bill payment, with its receipt once completed',
          params: PaymentParams,
          response: { 200: PaymentOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => paymentToWire(await app.bills.owned(await sessionUser(app, request), request.params.payment_id)),
    );

    server.get(
      '/v1/bill-payments/:payment_id/receipt',
      {
        schema: {
          tags,
          security,
          summary: 'The receipt of a completed payment, as a PDF',
          params: PaymentParams,
          querystring: DocumentLangQuery,
          response: { 200: z.any().meta({ description: 'application/pdf' }), 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request, reply) => {
        const row = await app.bills.owned(await sessionUser(app, request), request.params.payment_id);
        const receipt = receiptOf(row);
        if (!receipt) throw new BillError('receipt_not_ready', `payment ${row.payment_id} is ${row.status}; a receipt exists once the biller confirms it`);
        const lang = preferredLang(request.query.lang, request.headers['accept-language']);
        const biller = billerOf(row.charge_inst);
        const pdf = await receiptPdf(
          {
            paymentId: receipt.payment_id,
            billerName: (lang === 'zh' ? biller?.name : biller?.nameEn) ?? row.charge_inst,
            chargeInst: row.charge_inst,
            billKey: row.bill_key,
            amount: receipt.amount,
            currency: receipt.currency,
            paidAt: receipt.paid_at,
          },
          lang,
        );
        return reply.type('application/pdf').header('content-disposition', `attachment; filename="receipt-${row.payment_id}.pdf"`).send(pdf);
      },
    );

    server.post(
      '/v1/bill-autopays',
      {
        schema: {
          tags,
          security,
          summary: 'Pay this account each month, up to a cap, on a day of the month',
          body: AutopayBody,
          response: { 201: AutopayCreated, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 503: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const b = request.body;
        const row = await app.bills.autopays.create(userId, {
          chargeInst: b.charge_inst,
          billKey: b.bill_key,
          capMinor: positiveMinor(b.monthly_cap, 'CNY'),
          dayOfMonth: b.day_of_month,
          requestId: b.request_id,
        });
        reply.status(201);
        return { autopay_id: row.autopay_id };
      },
    );

    server.get(
      '/v1/bill-autopays',
      { schema: { tags, security, summary: "The caller's automatic payments and their notices", response: { 200: AutopaysOutput, 401: ErrorOutput } } },
      async (request) => {
        const userId = await sessionUser(app, request);
        const [autopays, notices] = [await app.bills.autopays.list(userId), await app.bills.autopays.notices(userId)];
        return {
          autopays: autopays.map((a) => ({
            autopay_id: a.autopay_id,
            charge_inst: a.charge_inst,
            bill_key: a.bill_key,
            monthly_cap: cny(a.cap_minor),
            day_of_month: Number(a.day_of_month),
            status: a.status,
            next_run_at: iso(a.next_run_at),
          })),
          notices: notices.map((n) => ({
            autopay_id: n.autopay_id,
            month: n.month,
            kind: n.kind,
            amount_due: cny(n.due_minor),
            monthly_cap: cny(n.cap_minor),
          })),
        };
      },
    );

    server.delete(
      '/v1/bill-autopays/:autopay_id',
      {
        schema: {
          tags,
          security,
          summary: 'Stop an automatic payment',
          params: AutopayParams,
          response: { 204: z.null(), 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request, reply) => {
        await app.bills.autopays.cancel(await sessionUser(app, request), request.params.autopay_id);
        return reply.status(204).send(null);
      },
    );
  };
}

function receiptOf(row: PaymentRow) {
  if (row.status !== 'completed' || row.confirmed_at === null) return undefined;
  const biller = billerOf(row.charge_inst);
  return {
    biller: biller?.name ?? row.charge_inst,
    charge_inst: row.charge_inst,
    bill_key: row.bill_key,
    amount: cny(row.amount_minor),
    currency: row.currency,
    paid_at: iso(row.confirmed_at),
    payment_id: row.payment_id,
  };
}

function paymentToWire(row: PaymentRow) {
  const receipt = receiptOf(row);
  return {
    payment_id: row.payment_id,
    status: row.status,
    charge_inst: row.charge_inst,
    bill_key: row.bill_key,
    amount: cny(row.amount_minor),
    currency: row.currency,
    funding: row.funding,
    ...(row.reason ? { reason: row.reason } : {}),
    created_at: iso(row.created_at),
    ...(receipt ? { receipt } : {}),
  };
}

/** Operator routes: each biller's daily settlement (collections, fee, payout), and running it for a closed day. */
export function billAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  const security = [{ operator: [] }];
  const toWire = (r: SettlementRow) => ({
    charge_inst: r.charge_inst,
    date: r.date,
    payments: Number(r.payments),
    collections: cny(r.gross_minor),
    fee: cny(r.fee_minor),
    paid_out: cny(r.net_minor),
  });
  return async (server) => {
    server.get(
      '/v1/admin/biller-settlements/:date',
      {
        schema: {
          tags,
          security,
          summary: "Each biller's settlement of a day",
          params: SettlementParams,
          response: { 200: SettlementsOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request) => ({ date: request.params.date, settlements: (await app.bills.settlements.list(request.params.date)).map(toWire) }),
    );
    server.post(
      '/v1/admin/biller-settlements',
      {
        schema: {
          tags,
          security,
          summary: "Reconcile every biller's file of a closed day and pay the billers (idempotent)",
          body: SettlementParams,
          response: { 200: SettlementsOutput, 400: ErrorOutput, 401: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        await app.bills.settlements.settle(request.body.date);
        return { date: request.body.date, settlements: (await app.bills.settlements.list(request.body.date)).map(toWire) };
      },
    );
  };
}
