// Credit routes (spec/credit.md "Routes"): the caller's score with its factors and line, loans decided
// and disbursed in one request, a loan's state, repayments; and the operator's portfolio report.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { CreditError } from '../../modules/credit/credit-errors.ts';
import { type Bucket, type Owed, RATE_SCALE, roundHalfUp } from '../../modules/credit/loans/loan-math.ts';
import type { Loan } from '../../modules/credit/loans/loan-row.ts';
import type { Instalment } from '../../modules/credit/loans/loan-schedule.ts';
import type { Trade } from '../../modules/trade/trade.ts';
import { formatMinor } from '../../money/amount.ts';
import { ErrorOutput } from '../schemas/common.ts';
import type { StatementView } from '../../modules/credit/paylater/paylater.ts';
import {
  CreditScopeQuery,
  InstalmentBody,
  InstalmentQuoteOutput,
  InstalmentQuoteQuery,
  LineOutput,
  LoanBody,
  LoanOutput,
  LoanParams,
  MonthParams,
  NewLoanOutput,
  PayLaterOutput,
  PortfolioOutput,
  PortfolioQuery,
  QuoteOutput,
  QuoteQuery,
  RepaymentBody,
  RepaymentOutput,
  RepaymentQuoteOutput,
  RepaymentQuoteQuery,
  SalesShareBody,
  ScoreOutput,
  StatementOutput,
} from '../schemas/credit.ts';
import { sessionUser } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['credit'];
const security = [{ session: [] }];
const operator = [{ operator: [] }];
const cash = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
const schedule = (s: readonly Instalment[]) => s.map((i) => ({ due_date: i.dueDate, principal: cash(i.principal), interest: cash(i.interest) }));

/** A daily rate in parts per million as a decimal fraction, e.g. 400 -> "0.0004". */
function rateText(ppm: bigint): string {
  return (Number(ppm) / Number(RATE_SCALE)).toString();
}

export function loanToWire(loan: Loan) {
  const s = loan.state;
  return {
    loan_id: loan.loanId,
    status: s.status,
    outstanding_principal: cash(s.outstandingPrincipal),
    accrued_interest: cash(s.accruedInterest),
    penalty_interest: cash(s.penaltyInterest),
    days_past_due: s.daysPastDue,
    schedule: schedule(s.schedule),
    sales_share_percent: Number(loan.salesShareBps / 100n),
  };
}

function appliedToWire(a: Owed) {
  return {
    penalty_interest: cash(a.penaltyInterest),
    overdue_interest: cash(a.overdueInterest),
    overdue_principal: cash(a.overduePrincipal),
    interest: cash(a.interest),
    principal: cash(a.principal),
  };
}

/** A ratio in millionths as a decimal with four places, rounded half-up: 12_345 -> "0.0123". */
function ratioText(ppm: bigint): string {
  const tenThousandths = roundHalfUp(ppm, 100n);
  return `${tenThousandths / 10_000n}.${String(tenThousandths % 10_000n).padStart(4, '0')}`;
}

function bucketsToWire(b: Readonly<Record<Bucket, bigint>>) {
  return { current: cash(b.current), '1-30': cash(b['1-30']), '31-60': cash(b['31-60']), '61-90': cash(b['61-90']), '90+': cash(b['90+']) };
}

export function creditRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/credit/score',
      {
        schema: {
          tags,
          security,
          summary: "The caller's score (350-950), or that of a merchant the caller owns: band, model version and the factors that moved it most",
          querystring: CreditScopeQuery,
          response: { 200: ScoreOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const score = await app.credit.score(userId, request.query.merchant_id);
        return {
          score: score.score,
          band: score.band,
          model_version: score.modelVersion,
          factors: score.explained.map((f) => ({ name: f.name, effect: f.effect, explanation: f.en, explanation_zh: f.zh })),
        };
      },
    );

    server.get(
      '/v1/credit/line',
      {
        schema: {
          tags,
          security,
          summary: "The caller's credit line: limit, used, available and the daily rate",
          querystring: CreditScopeQuery,
          response: { 200: LineOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const line = await app.credit.line(userId, request.query.merchant_id);
        return { limit: cash(line.limit), used: cash(line.used), available: cash(line.available), daily_rate: rateText(line.dailyRatePpm) };
      },
    );

    server.post(
      '/v1/credit/loans',
      {
        schema: {
          tags,
          security,
          summary: 'Apply: scored, decided and (when approved) disbursed to the wallet in one request',
          body: LoanBody,
          response: { 201: NewLoanOutput, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 404: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        const body = request.body;
        const amount = positiveMinor(body.amount, body.currency);
        if (body.currency !== PLATFORM_CURRENCY.code) throw new CreditError('invalid_term', `loans are in ${PLATFORM_CURRENCY.code}`);
        const loan = await app.credit.apply(userId, {
          product: body.product,
          amount,
          days: body.days,
          months: body.months,
          repayment: body.repayment,
          requestId: body.request_id,
          merchantId: body.merchant_id,
          salesSharePercent: body.sales_share_percent,
        });
        reply.code(201);
        return {
          loan_id: loan.loanId,
          status: 'active' as const,
          disbursed_at: new Date(loan.disbursedAt).toISOString(),
          schedule: schedule(loan.state.schedule),
        };
      },
    );

    server.get(
      '/v1/credit/quote',
      {
        schema: {
          tags,
          security,
          summary: 'The schedule and total interest a loan would have if taken now, before committing',
          querystring: QuoteQuery,
          response: { 200: QuoteOutput, 400: ErrorOutput, 401: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request) => {
        await sessionUser(app, request);
        const q = request.query;
        const planned = app.credit.quote({
          product: q.product,
          amount: positiveMinor(q.amount, PLATFORM_CURRENCY.code),
          days: q.days,
          months: q.months,
          repayment: q.repayment,
        });
        return { schedule: schedule(planned), total_interest: cash(planned.reduce((sum, i) => sum + i.interest, 0n)) };
      },
    );

    server.get(
      '/v1/credit/loans/:loan_id',
      {
        schema: {
          tags,
          security,
          summary: 'A loan of the caller: status, balances, days past due and the schedule',
          params: LoanParams,
          response: { 200: LoanOutput, 401: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return loanToWire(await app.credit.loan(userId, request.params.loan_id));
      },
    );

    server.post(
      '/v1/credit/loans/:loan_id/repayments',
      {
        schema: {
          tags,
          security,
          summary: 'Repay from the wallet: penalty, overdue interest, overdue principal, interest, then principal',
          params: LoanParams,
          body: RepaymentBody,
          response: { 200: RepaymentOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const amount = positiveMinor(request.body.amount, PLATFORM_CURRENCY.code);
        const end = await app.credit.repay(userId, request.params.loan_id, amount, request.body.request_id);
        return { applied: appliedToWire(end.applied), early_repayment_fee: cash(end.fee), outstanding_principal: cash(end.outstandingPrincipal) };
      },
    );

    server.get(
      '/v1/credit/loans/:loan_id/repayment-quote',
      {
        schema: {
          tags,
          security,
          summary: 'What a repayment of `amount` would pay, part by part, and the early-repayment fee on top: the cost before committing',
          params: LoanParams,
          querystring: RepaymentQuoteQuery,
          response: { 200: RepaymentQuoteOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const amount = positiveMinor(request.query.amount, PLATFORM_CURRENCY.code);
        const quote = await app.credit.repaymentQuote(userId, request.params.loan_id, amount);
        return { applied: appliedToWire(quote.applied), early_repayment_fee: cash(quote.fee), total: cash(amount + quote.fee) };
      },
    );

    server.put(
      '/v1/credit/loans/:loan_id/sales-share',
      {
        schema: {
          tags,
          security,
          summary: "A merchant loan's consent: the whole percent of each day's settlements that repays it (0 withdraws it)",
          params: LoanParams,
          body: SalesShareBody,
          response: { 200: LoanOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        return loanToWire(await app.credit.salesShare.consent(userId, request.params.loan_id, request.body.percent));
      },
    );
  };
}

export function statementToWire(s: StatementView) {
  return {
    month: s.month,
    statement_date: s.statementDate,
    due_date: s.dueDate,
    total: cash(s.total),
    minimum: cash(s.minimum),
    paid: cash(s.paid),
    status: s.status,
    interest: cash(s.interest),
    fee: cash(s.fee),
    outstanding: cash(s.outstanding),
    instalments: s.plan.map((i) => ({ due_date: i.dueDate, principal: cash(i.principal), fee: cash(i.fee) })),
  };
}

/** Pay later (spec/credit.md): the line, a month's statement, repaying it, splitting it into instalments. */
export function payLaterRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    const tags = ['pay later'];
    server.get(
      '/v1/paylater',
      {
        schema: {
          tags,
          security,
          summary: "The caller's pay-later line: limit, available, active or suspended",
          response: { 200: PayLaterOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const line = await app.credit.payLater.line(await sessionUser(app, request));
        return { limit: cash(line.limit), available: cash(line.available), status: line.status };
      },
    );
    const statementDoc = {
      tags,
      security,
      params: MonthParams,
      response: { 200: StatementOutput, 400: ErrorOutput, 401: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput },
    };
    server.get(
      '/v1/paylater/statements/:month',
      { schema: { ...statementDoc, summary: "A month's statement (dated the 1st, due the 10th): total, minimum, paid, status" } },
      async (request) => {
        return statementToWire(await app.credit.payLater.statement(await sessionUser(app, request), request.params.month));
      },
    );
    server.post(
      '/v1/paylater/statements/:month/repayments',
      { schema: { ...statementDoc, summary: 'Repay a statement from the wallet: interest and fee first, then principal', body: RepaymentBody } },
      async (request) => {
        const userId = await sessionUser(app, request);
        const amount = positiveMinor(request.body.amount, PLATFORM_CURRENCY.code);
        return statementToWire(await app.credit.payLater.repay(userId, request.params.month, amount, request.body.request_id));
      },
    );
    server.get(
      '/v1/paylater/statements/:month/instalments',
      {
        schema: {
          ...statementDoc,
          summary: 'The plan and fee a split into instalments would have, before committing',
          querystring: InstalmentQuoteQuery,
          response: { 200: InstalmentQuoteOutput, 401: ErrorOutput, 404: ErrorOutput, 422: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const { months } = request.query;
        const quote = await app.credit.payLater.quoteInstalments(userId, request.params.month, months);
        return { months, fee: cash(quote.fee), instalments: quote.plan.map((i) => ({ due_date: i.dueDate, principal: cash(i.principal), fee: cash(i.fee) })) };
      },
    );
    server.post(
      '/v1/paylater/statements/:month/instalments',
      {
        schema: {
          ...statementDoc,
          summary: 'Split an issued statement into 3, 6, 9 or 12 monthly instalments (fee 2.5%, 4.5%, 6.5%, 8.8%)',
          body: InstalmentBody,
        },
      },
      async (request) => {
        return statementToWire(await app.credit.payLater.instalments(await sessionUser(app, request), request.params.month, request.body.months));
      },
    );
  };
}

/**
 * Pays a trade with pay later: the line brings the trade's amount into the wallet (billed on next
 * month's statement; a marketplace purchase in the month after the buyer confirms receipt), then the wallet pays. Drawn only while the trade waits for payment, and once
 * per request id, so a replay pays nothing twice.
 */
export async function payTradeLater(app: Formica, userId: string, tradeNo: string, requestId: string): Promise<Trade> {
  const trade = await app.trades.getForBuyer(tradeNo);
  if (trade.status === 'WAIT_BUYER_PAY')
    await app.credit.payLater.purchase(userId, {
      amount: trade.totalAmountMinor,
      tradeNo,
      requestId,
      billOnReceipt: trade.productCode === 'ESCROW_TRADE_PAY',
    });
  return app.trades.payWithWallet(userId, tradeNo, requestId);
}

export function creditAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/admin/credit/portfolio',
      {
        schema: {
          tags: ['credit (operator)'],
          security: operator,
          summary:
            'Outstanding, disbursed, repaid, NPL ratio, buckets, provisions (also by bucket) and write-offs; the pay-later book; and the last `days` days of figures for charts',
          querystring: PortfolioQuery,
          response: { 200: PortfolioOutput, 400: ErrorOutput },
        },
      },
      async (request) => {
        const p = await app.credit.portfolio();
        const history = await app.credit.portfolioHistory(request.query.days);
        return {
          outstanding: cash(p.outstanding),
          disbursed: cash(p.disbursed),
          repaid: cash(p.repaid),
          npl_ratio: ratioText(p.nplPpm),
          buckets: bucketsToWire(p.buckets),
          provisions: cash(p.provisions),
          written_off: cash(p.writtenOff),
          provisions_by_bucket: bucketsToWire(p.provisionsByBucket),
          paylater: { outstanding: cash(p.payLater.outstanding), overdue: cash(p.payLater.overdue) },
          history: history.map((d) => ({
            date: d.day,
            outstanding: cash(d.outstanding),
            npl_ratio: ratioText(d.nplPpm),
            provisions: cash(d.provisions),
            written_off: cash(d.writtenOff),
            buckets: bucketsToWire(d.buckets),
          })),
        };
      },
    );

    server.get(
      '/v1/admin/credit/bureau/:month',
      {
        schema: {
          tags: ['credit (operator)'],
          security: operator,
          summary: "A closed month's credit-bureau report (text/csv): one line per borrower, kept as first issued",
          params: MonthParams,
          response: { 200: z.string(), 400: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request, reply) => {
        const csv = await app.credit.bureau.report(request.params.month);
        reply.header('content-disposition', `attachment; filename="credit-bureau-${request.params.month}.csv"`);
        return reply.type('text/csv; charset=utf-8').send(csv);
      },
    );
  };
}
