// Pay later for buyers: a revolving line set from the score, purchases drawn into the wallet at
// checkout and billed on next month's statement (the 1st, due the 10th, interest-free when paid in
// full), the minimum, daily interest on the rest, instalments with their fee, and suspension after
// 7 days overdue. A marketplace (escrow) purchase is billed in the month after the buyer confirms
// receipt instead: the credit-servicing job bills it once its trade has settled. The statements'
// interest runs on the clock through the same job.
import type { Clock } from '../../../engine/clock.ts';
import type { SqlDatabase } from '../../../store/sql.ts';
import type { RefundPart, Trade } from '../../trade/trade.ts';
import type { StepRunner } from '../../books/step-runner.ts';
import { addDays, shanghaiDate, startOfShanghaiDay } from '../../fund/fund-calendar.ts';
import { CreditError } from '../credit-errors.ts';
import { earliest } from '../earliest.ts';
import type { CreditBand } from '../model/index.ts';
import { dueDate, instalmentPlan, minimumPayment, type PlanInstalment, statementDate, statementMonthOf } from './paylater-math.ts';
import { type Paydown, refundPaydownPart } from './paylater-refunds.ts';
import { daysToServiceStatement, owedOn, type StatementStatus, statusOn } from './paylater-statement.ts';
import {
  billPurchase,
  instalmentStep,
  isSuspended,
  purchaseStep,
  readStatement,
  type StatementRepayment,
  statementDayStep,
  statementRepaymentStep,
  statementsOf,
  unbilledOf,
  usedOf,
} from './paylater-steps.ts';

/** Pay-later lines by band (policy), in fen: from a few hundred to tens of thousands of CNY. */
export const PAYLATER_LINE_BY_BAND: Readonly<Record<CreditBand, bigint>> = { none: 0n, small: 50_000n, standard: 500_000n, best: 2_000_000n };

export interface PayLaterLine {
  readonly limit: bigint;
  readonly available: bigint;
  readonly status: 'active' | 'suspended';
}

export interface StatementView {
  readonly month: string;
  readonly statementDate: string;
  readonly dueDate: string;
  readonly total: bigint;
  readonly minimum: bigint;
  readonly paid: bigint;
  readonly interest: bigint;
  readonly fee: bigint;
  readonly outstanding: bigint;
  readonly status: StatementStatus;
  readonly plan: readonly PlanInstalment[];
}

export class PayLaterService {
  constructor(
    private readonly db: SqlDatabase,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly bandOf: (userId: string) => Promise<CreditBand>,
    private readonly tradeOf: (tradeNo: string) => Promise<Trade>,
  ) {}

  /**
   * Pay later's part of every refund's step, for the composition root to add to the trade service:
   * a refund of a trade paid with pay later pays down what is still owed for that purchase, in the
   * refund's own commit (decision 30).
   */
  readonly refundPart: RefundPart<Paydown | null> = refundPaydownPart;

  private today(): string {
    return shanghaiDate(this.clock.now());
  }

  async line(userId: string): Promise<PayLaterLine> {
    const limit = PAYLATER_LINE_BY_BAND[await this.bandOf(userId)];
    const statements = await statementsOf(this.db, userId);
    const used = usedOf(statements) + (await unbilledOf(this.db, userId));
    return { limit, available: limit > used ? limit - used : 0n, status: isSuspended(statements, this.today()) ? 'suspended' : 'active' };
  }

  /**
   * Draws `amount` into the wallet for a trade; the caller then pays the trade from the wallet. The
   * month it is billed on ('' for a marketplace purchase, billed once the buyer confirms receipt).
   */
  async purchase(userId: string, input: { amount: bigint; tradeNo: string; requestId: string; billOnReceipt: boolean }): Promise<{ month: string }> {
    const limit = PAYLATER_LINE_BY_BAND[await this.bandOf(userId)];
    if (limit === 0n) throw new CreditError('no_credit', 'no pay-later line below a score of 550');
    return this.runner.run(purchaseStep({ userId, ...input, today: this.today(), nowMs: this.clock.now(), limit }));
  }

  async statement(userId: string, month: string): Promise<StatementView> {
    const s = await readStatement(this.db, userId, month);
    if (!s) throw new CreditError('statement_not_found', 'no statement for that month');
    const owed = owedOn(s);
    return {
      month,
      statementDate: statementDate(month),
      dueDate: dueDate(month),
      total: s.total,
      minimum: minimumPayment(s.total),
      paid: s.paidPrincipal + s.paidCharges,
      interest: s.interest,
      fee: s.fee,
      outstanding: owed.principal + owed.charges,
      status: statusOn(s, this.today()),
      plan: s.plan,
    };
  }

  async repay(userId: string, month: string, amount: bigint, requestId: string): Promise<StatementView> {
    const end: StatementRepayment = await this.runner.run(statementRepaymentStep(userId, month, amount, requestId, this.clock.now()));
    if (!end.verdict.applied) throw new CreditError('insufficient_funds', 'the wallet balance does not cover the repayment');
    return this.statement(userId, month);
  }

  /** The plan and fee a split would have, before committing to it. */
  async quoteInstalments(userId: string, month: string, months: number): Promise<{ fee: bigint; plan: PlanInstalment[] }> {
    if (![3, 6, 9, 12].includes(months)) throw new CreditError('invalid_term', 'instalments are 3, 6, 9 or 12 months');
    const s = await readStatement(this.db, userId, month);
    if (!s) throw new CreditError('statement_not_found', 'no statement for that month');
    return instalmentPlan(owedOn(s).principal, month, months);
  }

  async instalments(userId: string, month: string, months: number): Promise<StatementView> {
    if (![3, 6, 9, 12].includes(months)) throw new CreditError('invalid_term', 'instalments are 3, 6, 9 or 12 months');
    await this.runner.run(instalmentStep(userId, month, months, this.today()));
    return this.statement(userId, month);
  }

  /**
   * Bills each marketplace purchase whose trade has settled (the buyer confirmed receipt, or the
   * confirmation timed out) on the statement of the month after the settlement; one whose trade
   * closed unsettled (refunded, or never paid) on the month after the closing, since the money it
   * drew went back to the wallet. Returns how many were billed.
   */
  async billReceived(): Promise<number> {
    const waiting = await this.db.all<{ user_id: string; request_id: string; trade_no: string }>(
      "SELECT user_id, request_id, trade_no FROM paylater_purchases WHERE month = '' ORDER BY created_at, user_id, request_id",
    );
    let billed = 0;
    for (const p of waiting) {
      const trade = await this.tradeOf(p.trade_no);
      const billedAtMs = trade.settledAtMs ?? (trade.status === 'TRADE_CLOSED' ? (trade.closedAtMs ?? this.clock.now()) : undefined);
      if (billedAtMs === undefined) continue;
      const month = statementMonthOf(shanghaiDate(billedAtMs));
      if (await this.db.transaction((tx) => billPurchase(tx, p.user_id, p.request_id, month))) billed++;
    }
    return billed;
  }

  /** Bills what was received, then books each statement's interest for every day up to today. */
  async serviceDue(): Promise<number> {
    await this.billReceived();
    const today = this.today();
    const rows = await this.db.all<{ user_id: string; month: string; serviced_through: string }>(
      'SELECT user_id, month, serviced_through FROM paylater_statements WHERE serviced_through < ? AND total > paid_principal ORDER BY user_id, month',
      [today],
    );
    let days = 0;
    for (const row of rows) {
      const s = (await readStatement(this.db, row.user_id, row.month))!;
      for (const date of daysToServiceStatement(s, today)) {
        if (await this.runner.run(statementDayStep(row.user_id, row.month, date))) days++;
      }
    }
    return days;
  }

  /** The next day's start when a statement has interest to book or a purchase waits to be billed. */
  async nextServiceDue(): Promise<number | null> {
    const row = await this.db.get<{ through: string | null }>('SELECT MIN(serviced_through) AS through FROM paylater_statements WHERE total > paid_principal');
    const statements = row?.through ? startOfShanghaiDay(addDays(row.through, 1)) : null;
    const waiting = await this.db.get<{ n: bigint }>("SELECT COUNT(*) AS n FROM paylater_purchases WHERE month = ''");
    const purchases = BigInt(waiting?.n ?? 0n) > 0n ? startOfShanghaiDay(addDays(this.today(), 1)) : null;
    return earliest(statements, purchases);
  }
}
