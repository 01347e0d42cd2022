// The credit service: a borrower's score and line from the platform's scorecard, loans decided in one
// request (score -> decision with its reasons -> disbursement as a step), the daily servicing the clock
// drives (interest, penalty, due dates, automatic repayment with consent, the consented share of a
// merchant's daily settlements, buckets, provisions), repayments in the spec's order with the
// early-repayment fee policy, write-offs, the portfolio report and its daily history, and the
// monthly credit-bureau report.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { AccountCode, type CreditAccount, creditAccountId, derivedId, merchantSettlementAccountId } from '../books/chart.ts';
import { earliest } from './earliest.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import { addDays, shanghaiDate, startOfShanghaiDay } from '../fund/fund-calendar.ts';
import type { IdentityService } from '../identity/identity.ts';
import type { LedgerStore } from '../../store/store.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { BorrowerFeatures } from './borrower-features.ts';
import { MerchantFeatureSource, type TradeActivity } from './merchant-features.ts';
import { CreditError } from './credit-errors.ts';
import { CREDIT_MIGRATIONS } from './credit-schema.ts';
import type { RepaymentRecord } from './features/feature-rows.ts';
import { DAILY_RATE_PPM, type Owed, type Product } from './loans/loan-math.ts';
import { type Loan, readLoan } from './loans/loan-row.ts';
import { INSTALMENT_MONTHS, type Instalment, instalmentSchedule, type RepaymentMethod, SHORT_DAYS, shortSchedule } from './loans/loan-schedule.ts';
import { daysToService } from './loans/loan-state.ts';
import {
  disbursementStep,
  earlyRepaymentFee,
  plannedRepayment,
  type RepaymentEnd,
  repaymentStep,
  serviceDayStep,
  usedSql,
  writeOffStep,
} from './loans/loan-steps.ts';
import { SalesShare, settlementAvailable, shareBps } from './loans/sales-share.ts';
import { BureauReports } from './reports/bureau.ts';
import { loanBook, type Portfolio, type PortfolioDay, portfolioHistory, portfolioOf, recordPortfolioDay } from './reports/portfolio.ts';
import { type CreditBand, explainFactor, type FactorEffect, type ScoreResult, scoreRow, topFactors } from './model/index.ts';
import { PayLaterService } from './paylater/paylater.ts';
import { type PlatformModels, platformModels } from './platform-model.ts';

/** Credit lines by band (policy), in fen: no credit below 550, small lines to 600, standard to 700. */
export const LINE_BY_BAND: Readonly<Record<CreditBand, bigint>> = { none: 0n, small: 500_000n, standard: 2_000_000n, best: 5_000_000n };

/** A merchant's lines (policy), in fen: its trade pays them back, so they run larger than a person's. */
export const MERCHANT_LINE_BY_BAND: Readonly<Record<CreditBand, bigint>> = { none: 0n, small: 1_000_000n, standard: 10_000_000n, best: 50_000_000n };

/** The early-repayment fee policy (FORMICA_CREDIT_EARLY_REPAYMENT_FEE_BPS): whole basis points of the principal repaid early, 0 when unset. */
export function earlyRepaymentFeeBps(text: string | undefined): bigint {
  if (text === undefined || text === '') return 0n;
  if (!/^\d{1,5}$/.test(text) || BigInt(text) > 10_000n) throw new Error('FORMICA_CREDIT_EARLY_REPAYMENT_FEE_BPS must be whole basis points from 0 to 10000');
  return BigInt(text);
}

/** Checks that the user owns the merchant (borrowing for it is the owner's alone); throws otherwise. */
export type OwnerCheck = (userId: string, merchantId: string) => Promise<void>;

export interface ExplainedScore extends ScoreResult {
  readonly explained: readonly (FactorEffect & { readonly en: string; readonly zh: string })[];
  readonly inputs: Readonly<Record<string, string>>;
}

export interface CreditLine {
  readonly limit: bigint;
  readonly used: bigint;
  readonly available: bigint;
  readonly dailyRatePpm: bigint;
}

export interface LoanApplication {
  readonly product: Product;
  readonly amount: bigint;
  readonly days?: number;
  readonly months?: number;
  readonly repayment?: RepaymentMethod;
  readonly requestId: string;
  /** Borrow on this merchant's line (the caller must own it); absent for the caller's own. */
  readonly merchantId?: string;
  /** A merchant loan: the whole percent of each day's settlements the merchant agrees to repay it with. */
  readonly salesSharePercent?: number;
}

export type { Portfolio, PortfolioDay } from './reports/portfolio.ts';

const CREDIT_ACCOUNTS: readonly [CreditAccount, number][] = [
  ['funding', AccountCode.creditFunding],
  ['receivable', AccountCode.loanReceivable],
  ['interest', AccountCode.interestReceivable],
  ['income', AccountCode.interestIncome],
  ['provision_expense', AccountCode.provisionExpense],
  ['provision_allowance', AccountCode.provisionAllowance],
];

export class CreditService {
  private readonly features: BorrowerFeatures;
  private readonly merchantFeatures: MerchantFeatureSource;
  /** Buyers' pay-later lines and statements. */
  readonly payLater: PayLaterService;
  /** Merchant loans repaid from a share of each day's settlements, with consent. */
  readonly salesShare: SalesShare;
  /** The monthly credit-bureau report, one CSV per month. */
  readonly bureau: BureauReports;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly wallet: WalletService,
    private readonly ownerCheck: OwnerCheck,
    identity: IdentityService,
    trades: TradeActivity,
    private readonly store: LedgerStore,
    /** The early-repayment fee on principal repaid before it falls due, in basis points (policy; 0 by default). */
    readonly earlyRepaymentFeeBps: bigint,
  ) {
    this.salesShare = new SalesShare(db, runner, store, trades);
    this.bureau = new BureauReports(db, () => clock.now());
    this.features = new BorrowerFeatures(identity, wallet, (userIds) => this.repaymentRecords('user_id', userIds));
    this.merchantFeatures = new MerchantFeatureSource(trades, store, (merchantIds) => this.repaymentRecords('merchant_id', merchantIds));
    this.payLater = new PayLaterService(
      db,
      runner,
      clock,
      async (userId) => (await this.score(userId)).band,
      (tradeNo) => trades.getForBuyer(tradeNo),
    );
  }

  static async open(deps: {
    db: SqlDatabase;
    engine: LedgerEngine;
    runner: StepRunner;
    clock: Clock;
    ids: IdSource;
    identity: IdentityService;
    wallet: WalletService;
    trades: TradeActivity;
    store: LedgerStore;
    ownerCheck: OwnerCheck;
    /** Basis points of the principal repaid early (policy: configurable, default 0). */
    earlyRepaymentFeeBps?: bigint;
  }): Promise<CreditService> {
    await deps.db.migrate('credit', CREDIT_MIGRATIONS);
    // Credit's own accounts, once: no balance limits, each is the platform's side of what it lent or earned.
    const accounts = CREDIT_ACCOUNTS.map(([purpose, code]) => ({
      id: creditAccountId(purpose, PLATFORM_CURRENCY.code),
      ledger: PLATFORM_CURRENCY.ledger,
      code,
      flags: 0,
      userData: 'credit',
    }));
    const results = await deps.engine.createAccounts(accounts);
    results.forEach((r, i) => {
      if (r !== 'ok' && r !== 'exists') throw new Error(`cannot open credit account ${accounts[i].id}: ${r}`);
    });
    const feeBps = deps.earlyRepaymentFeeBps ?? 0n;
    return new CreditService(deps.db, deps.runner, deps.clock, deps.ids, deps.wallet, deps.ownerCheck, deps.identity, deps.trades, deps.store, feeBps);
  }

  /** The platform's scorecards (buyer and merchant); their versions go with every decision. */
  get models(): PlatformModels {
    return platformModels();
  }

  /** The user's score, or with `merchantId` the score of a merchant the user owns (from its trades). */
  async score(userId: string, merchantId?: string): Promise<ExplainedScore> {
    const now = this.clock.now();
    let inputs: Record<string, string>;
    if (merchantId) {
      await this.ownerCheck(userId, merchantId);
      inputs = (await this.merchantFeatures.merchants([merchantId], now)).get(merchantId)!;
    } else inputs = (await this.features.buyers([userId], now)).get(userId)!;
    const result = scoreRow(merchantId ? this.models.merchant : this.models.buyer, (column) => inputs[column]);
    const explained = topFactors(result).map((f) => ({ ...f, en: explainFactor(f, 'en'), zh: explainFactor(f, 'zh') }));
    return { ...result, explained, inputs };
  }

  async line(userId: string, merchantId?: string, score?: ExplainedScore): Promise<CreditLine> {
    const band = (score ?? (await this.score(userId, merchantId))).band;
    const limit = (merchantId ? MERCHANT_LINE_BY_BAND : LINE_BY_BAND)[band];
    const row = await this.db.get<{ used: bigint | null }>(usedSql(merchantId ?? ''), [merchantId || userId]);
    const used = BigInt(row?.used ?? 0n);
    return { limit, used, available: limit > used ? limit - used : 0n, dailyRatePpm: DAILY_RATE_PPM.short };
  }

  /** Score, decide (recorded with the model version, inputs and reasons), and disburse in one request. */
  async apply(userId: string, application: LoanApplication): Promise<Loan> {
    const loanId = derivedId('loan', userId, application.requestId);
    const existing = await readLoan(this.db, loanId);
    if (existing) {
      const same =
        existing.principal === application.amount && existing.product === application.product && existing.merchantId === (application.merchantId ?? '');
      if (!same) throw new CreditError('request_id_reused', 'this request id was used for another loan');
      return existing;
    }
    const startDate = shanghaiDate(this.clock.now());
    const { schedule, method, term } = plannedSchedule(application, startDate);
    if (application.salesSharePercent !== undefined && !application.merchantId)
      throw new CreditError('not_a_merchant_loan', "only a loan on a merchant's line is repaid from its sales");
    const salesShareBps = shareBps(application.salesSharePercent ?? 0);
    await this.wallet.ensureWallet(userId);
    const merchantId = application.merchantId ?? '';
    const score = await this.score(userId, application.merchantId);
    const line = await this.line(userId, application.merchantId, score);
    const refusal = score.band === 'none' ? 'no_credit' : application.amount > line.available ? 'exceeds_line' : null;
    const decisionId = await this.recordDecision(userId, merchantId, score, refusal ?? 'approved');
    if (refusal === 'no_credit')
      throw new CreditError('no_credit', `a score of ${score.score} is below 550: no credit`, { score: String(score.score), decision_id: decisionId });
    if (refusal === 'exceeds_line') throw new CreditError('exceeds_line', 'the amount is more than the credit line has available', { decision_id: decisionId });
    const step = disbursementStep({
      loanId,
      userId,
      merchantId,
      requestId: application.requestId,
      decisionId,
      product: application.product,
      method,
      term,
      principal: application.amount,
      startDate,
      schedule,
      disbursedAt: this.clock.now(),
      limit: line.limit,
      salesShareBps,
    });
    await this.runner.run(step);
    return (await readLoan(this.db, loanId))!;
  }

  /**
   * Scores a recorded decision again from its stored inputs with the model of its recorded version:
   * the same score, or an error naming why it cannot be reproduced.
   */
  async reproduceDecision(decisionId: string): Promise<{ recorded: number; reproduced: number }> {
    const row = await this.db.get<{ model_version: string; inputs: string; score: bigint; merchant_id: string }>(
      'SELECT model_version, inputs, score, merchant_id FROM credit_decisions WHERE decision_id = ?',
      [decisionId],
    );
    if (!row) throw new Error(`no decision ${decisionId}`);
    const model = row.merchant_id ? this.models.merchant : this.models.buyer;
    if (model.version !== row.model_version) throw new Error(`decision ${decisionId} used model ${row.model_version}, not the current ${model.version}`);
    const inputs = JSON.parse(row.inputs) as Record<string, string>;
    return { recorded: Number(row.score), reproduced: scoreRow(model, (column) => inputs[column]).score };
  }

  /** The schedule a loan would have if taken today: what it costs, before committing to it. */
  quote(application: Omit<LoanApplication, 'requestId' | 'merchantId'>): Instalment[] {
    return plannedSchedule({ ...application, requestId: '' }, shanghaiDate(this.clock.now())).schedule;
  }

  async loan(userId: string, loanId: string): Promise<Loan> {
    const loan = await readLoan(this.db, loanId);
    if (!loan || loan.userId !== userId) throw new CreditError('loan_not_found', 'no such loan of yours');
    return loan;
  }

  /** What a repayment of `amount` would pay now, part by part, and the early-repayment fee on top: the cost before committing. */
  async repaymentQuote(userId: string, loanId: string, amount: bigint): Promise<{ applied: Owed; fee: bigint }> {
    const loan = await this.loan(userId, loanId);
    if (loan.state.status !== 'active' && loan.state.status !== 'overdue') throw new CreditError('loan_closed', `the loan is ${loan.state.status}`);
    const applied = plannedRepayment(loan.state, { kind: 'exact', amount })!;
    return { applied, fee: earlyRepaymentFee(applied, this.earlyRepaymentFeeBps) };
  }

  async repay(userId: string, loanId: string, amount: bigint, requestId: string): Promise<RepaymentEnd> {
    const end = await this.runner.run(
      repaymentStep({ loanId, userId, requestId, amount: { kind: 'exact', amount }, earlyFeeBps: this.earlyRepaymentFeeBps, nowMs: this.clock.now() }),
    );
    if (!end) throw new CreditError('repayment_exceeds_owed', 'nothing to repay');
    if (!end.verdict.applied) throw new CreditError('insufficient_funds', 'the wallet balance does not cover the repayment');
    return end;
  }

  async writeOff(loanId: string): Promise<boolean> {
    return this.runner.run(writeOffStep(loanId));
  }

  /**
   * Services every live loan through today: for each day, the consented share of the day before's
   * settlements, the day's bookings, then the due-date collection. Then pay later, today's portfolio
   * figures for the history, and last month's bureau report once the month is over.
   */
  async serviceDue(): Promise<number> {
    const today = shanghaiDate(this.clock.now());
    const rows = await this.db.all<{ loan_id: string }>(
      "SELECT loan_id FROM credit_loans WHERE status IN ('active', 'overdue') AND serviced_through < ? ORDER BY loan_id",
      [today],
    );
    let days = await this.payLater.serviceDue();
    for (const { loan_id: loanId } of rows) {
      const loan = (await readLoan(this.db, loanId))!;
      for (const date of daysToService(loan.state, today)) {
        await this.salesShare.sweep(loanId, addDays(date, -1), this.clock.now());
        const next = await this.runner.run(serviceDayStep(loanId, date));
        if (!next) break;
        days++;
        if (next.overduePrincipal + next.overdueInterest + next.penaltyInterest > 0n) await this.collect(loan, date);
      }
    }
    await recordPortfolioDay(this.db, today, await loanBook(this.db));
    await this.bureau.reportLastMonth();
    return days;
  }

  /** The clock instant the servicing next has work: the start of the day after the least-serviced loan's or statement's. */
  async nextServiceDue(): Promise<number | null> {
    const row = await this.db.get<{ through: string | null }>(
      "SELECT MIN(serviced_through) AS through FROM credit_loans WHERE status IN ('active', 'overdue')",
    );
    const loans = row?.through ? startOfShanghaiDay(addDays(row.through, 1)) : null;
    return earliest(loans, await this.payLater.nextServiceDue());
  }

  async portfolio(): Promise<Portfolio> {
    return portfolioOf(this.db, shanghaiDate(this.clock.now()));
  }

  /** The portfolio's figures for the last `days` days the servicing ran, oldest first. */
  portfolioHistory(days: number): Promise<PortfolioDay[]> {
    return portfolioHistory(this.db, days);
  }

  /**
   * The automatic repayment on a due date, with the borrower's consent given at application. A merchant's loan is collected from its settlement balance first (the loan repays itself from
   * sales), then from the owner's wallet; a person's loan from the wallet.
   */
  private async collect(loan: Loan, date: string): Promise<void> {
    const nowMs = this.clock.now();
    if (loan.merchantId) {
      const upTo = await settlementAvailable(this.store, loan.merchantId);
      const payerAccountId = merchantSettlementAccountId(loan.merchantId);
      if (upTo > 0n)
        await this.runner.run(
          repaymentStep({
            loanId: loan.loanId,
            userId: loan.userId,
            requestId: `auto-settle-${date}`,
            amount: { kind: 'overdue', upTo },
            payerAccountId,
            nowMs,
          }),
        );
    }
    const upTo = (await this.wallet.summary(loan.userId)).availableMinor;
    if (upTo > 0n)
      await this.runner.run(repaymentStep({ loanId: loan.loanId, userId: loan.userId, requestId: `auto-${date}`, amount: { kind: 'overdue', upTo }, nowMs }));
  }

  private async recordDecision(userId: string, merchantId: string, score: ExplainedScore, outcome: string): Promise<string> {
    const decisionId = this.ids.next('dec');
    const reasons = score.explained.map((f) => ({ name: f.name, effect: f.effect, en: f.en, zh: f.zh }));
    await this.db.run(
      'INSERT INTO credit_decisions (decision_id, user_id, merchant_id, model_version, inputs, score, band, outcome, reasons, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        decisionId,
        userId,
        merchantId,
        score.modelVersion,
        JSON.stringify(score.inputs),
        score.score,
        score.band,
        outcome,
        JSON.stringify(reasons),
        BigInt(this.clock.now()),
      ],
    );
    return decisionId;
  }

  /** 'late' once any loan went past due, 'clean' with loans all on time, 'none' without loans. */
  private async repaymentRecords(by: 'user_id' | 'merchant_id', ids: readonly string[]): Promise<Map<string, RepaymentRecord>> {
    const records = new Map<string, RepaymentRecord>();
    const scope = by === 'user_id' ? "user_id = ? AND merchant_id = ''" : 'merchant_id = ?';
    for (const id of ids) {
      const row = await this.db.get<{ loans: bigint; late: bigint | null }>(
        `SELECT COUNT(*) AS loans, MAX(ever_late) AS late FROM credit_loans WHERE ${scope}`,
        [id],
      );
      records.set(id, BigInt(row?.loans ?? 0n) === 0n ? 'none' : Number(row?.late ?? 0) === 1 ? 'late' : 'clean');
    }
    return records;
  }
}

function plannedSchedule(application: LoanApplication, startDate: string): { schedule: Instalment[]; method: RepaymentMethod | 'single'; term: number } {
  if (application.amount <= 0n) throw new CreditError('invalid_term', 'the amount must be more than zero');
  if (application.product === 'short') {
    const days = application.days;
    if (days === undefined || !Number.isInteger(days) || days < SHORT_DAYS.min || days > SHORT_DAYS.max)
      throw new CreditError('invalid_term', `a short loan runs ${SHORT_DAYS.min} to ${SHORT_DAYS.max} days`);
    return { schedule: shortSchedule(application.amount, startDate, days), method: 'single', term: days };
  }
  const months = application.months;
  if (months === undefined || !(INSTALMENT_MONTHS as readonly number[]).includes(months))
    throw new CreditError('invalid_term', `an instalment loan runs ${INSTALMENT_MONTHS.join(', ')} months`);
  const method = application.repayment ?? 'equal_principal';
  return { schedule: instalmentSchedule(application.amount, startDate, months, method), method, term: months };
}
