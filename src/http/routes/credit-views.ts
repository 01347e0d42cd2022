// Read-only lists the credit pages show (spec/credit.md leaves them open; the fixed routes are in
// credit.ts): the caller's loans, on its own line or a merchant's, each with what repays it today; the
// caller's pay-later statements newest first, with what is used of the line.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { type LoanRow, loanFromRow } from '../../modules/credit/loans/loan-row.ts';
import type { StatementView } from '../../modules/credit/paylater/paylater.ts';
import { statementsOf, unbilledOf, usedOf } from '../../modules/credit/paylater/paylater-steps.ts';
import { formatMinor } from '../../money/amount.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { CreditScopeQuery } from '../schemas/credit.ts';
import { LoanListOutput, StatementListOutput } from '../schemas/credit-views.ts';
import { loanToWire, statementToWire } from './credit.ts';
import { sessionUser } from './users.ts';

const security = [{ session: [] }];
const cash = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

/** What is left of the minimum payment: none once a plan replaced it, never more than is owed. */
function minimumLeft(s: StatementView): bigint {
  if (s.plan.length > 0) return 0n;
  const left = s.minimum - s.paid;
  if (left <= 0n) return 0n;
  if (left > s.outstanding) return s.outstanding;
  return left;
}

export function creditViewRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/credit/loans',
      {
        schema: {
          tags: ['credit'],
          security,
          summary: "The caller's loans, newest first (with merchant_id, those on that merchant's line), each with what repays it today",
          querystring: CreditScopeQuery,
          response: { 200: LoanListOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const rows = await app.sql.all<LoanRow>('SELECT * FROM credit_loans WHERE user_id = ? AND merchant_id = ? ORDER BY disbursed_at DESC, loan_id', [
          userId,
          request.query.merchant_id ?? '',
        ]);
        const loans = rows.map(loanFromRow).map((loan) => ({
          ...loanToWire(loan),
          product: loan.product,
          repayment: loan.method,
          principal: cash(loan.principal),
          start_date: loan.startDate,
          owed: cash(loan.state.outstandingPrincipal + loan.state.accruedInterest + loan.state.penaltyInterest),
        }));
        return { loans };
      },
    );

    server.get(
      '/v1/paylater/statements',
      {
        schema: {
          tags: ['pay later'],
          security,
          summary: "The caller's statements, newest first (the coming one included), and how much of the line is used",
          response: { 200: StatementListOutput, 401: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const stored = await statementsOf(app.sql, userId);
        const views = await Promise.all(stored.map((s) => app.credit.payLater.statement(userId, s.month)));
        const statements = views.reverse().map((view) => ({ ...statementToWire(view), minimum_left: cash(minimumLeft(view)) }));
        // Marketplace purchases waiting for receipt are used on the line before any statement bills them.
        return { used: cash(usedOf(stored) + (await unbilledOf(app.sql, userId))), statements };
      },
    );
  };
}
