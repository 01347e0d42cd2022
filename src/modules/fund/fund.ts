// The money-market fund service: funds and their published income (FundCatalog), the trading
// calendar, the suitability questionnaire, subscriptions (pending until the confirmation date),
// fast and normal redemptions, holdings, and the two clock-driven jobs: confirmations (and normal
// redemptions arriving) and the daily income accrual. Money and shares move only as ledger steps.
import { DomainError } from '../../domain-error.ts';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { LedgerStore } from '../../store/store.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { fundCustodyAccountId, fundSharesAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { IdentityService } from '../identity/identity.ts';
import { mayInvest } from '../identity/identity-levels.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { declareStep, type IncomeRow, payBatchStep } from './fund-accrual.ts';
import { addDays, isCalendarDate, shanghaiDate, startOfShanghaiDay, TradingCalendar } from './fund-calendar.ts';
import { FundCatalog } from './fund-catalog.ts';
import { FundError } from './fund-errors.ts';
import { FundSweep } from './fund-sweep.ts';
import { holderSharesAccount } from './fund-ledger.ts';
import { FUND_MIGRATIONS } from './fund-schema.ts';
import {
  confirmStep,
  FAST_REDEMPTION_CAP_MINOR,
  fastRedeemedOn,
  type OrderEnd,
  type RedemptionRow,
  redeemStep,
  settleRedemptionStep,
  type SubscriptionRow,
  subscribeStep,
} from './fund-steps.ts';
import { riskTolerance } from './risk-questionnaire.ts';
import type { PageCursor } from '../../text/page-cursor.ts';

/** The smallest subscription: 1.00 CNY. */
export const MINIMUM_SUBSCRIPTION_MINOR = 100n;
const DUE_BATCH = 500;

export interface Subscription {
  readonly subscriptionId: string;
  /** Always 'pending' when answered: confirmation comes on `confirmDate`. */
  readonly status: 'pending';
  readonly confirmDate: string;
}

export interface Redemption {
  readonly redemptionId: string;
  readonly status: 'completed' | 'pending';
  readonly arrivesOn: string;
}

/** A redemption as the user's list shows it: on its way, or where its money went. */
export interface RedemptionEntry {
  readonly redemptionId: string;
  readonly fundId: string;
  readonly sharesMinor: bigint;
  readonly mode: 'fast' | 'normal';
  /** The bound card it was sent to; undefined for the wallet. */
  readonly cardId: string | undefined;
  readonly arrivesOn: string;
  readonly createdAt: number;
  /** Where the money is once arrived: the card, or the wallet (also when a card payout failed); undefined before. */
  readonly paidTo: 'card' | 'wallet' | undefined;
}

export interface RedemptionInput {
  readonly fundId: string;
  readonly sharesMinor: bigint;
  readonly mode: 'fast' | 'normal';
  readonly requestId: string;
  /** A bound card for a normal redemption; the wallet when absent. */
  readonly cardId?: string;
}

export interface Holding {
  readonly fundId: string;
  readonly confirmedSharesMinor: bigint;
  readonly pendingSharesMinor: bigint;
  readonly yesterdayIncomeMinor: bigint;
  readonly totalIncomeMinor: bigint;
}

/** What the operations dashboard shows of a fund: the cash it holds, and the income of its latest paid day. */
export interface FundFigures {
  readonly fundId: string;
  readonly name: string;
  /** Assets under management: the custodian's cash, which is the shares outstanding at 1.00 CNY. */
  readonly aumMinor: bigint;
  /** The latest date whose income is paid to every holder ('' before the first). */
  readonly incomeDate: string;
  readonly incomePaidMinor: bigint;
  readonly holdersPaid: bigint;
}

export interface AccrualResult {
  readonly date: string;
  readonly holders: bigint;
  readonly paidMinor: bigint;
}

/** How far a date's accrual is: holders paid so far of the holders earning that day. */
export interface AccrualProgress {
  readonly date: string;
  readonly holders: bigint;
  readonly paidHolders: bigint;
}

export type AccrualProgressListener = (progress: AccrualProgress) => void;

/** How a redemption reaches a bound card: the card module's own check, and its withdrawal (hold, ask the bank, settle). */
export interface CardPayouts {
  requireBound(userId: string, cardId: string): Promise<void>;
  withdraw(
    userId: string,
    input: { cardId: string; amountMinor: bigint; currency: string; requestId: string },
  ): Promise<{ readonly opId: string; readonly status: string; readonly reason: string }>;
}

interface Deps {
  readonly db: SqlDatabase;
  readonly engine: LedgerEngine;
  readonly runner: StepRunner;
  readonly store: LedgerStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly identity: IdentityService;
  readonly wallet: WalletService;
  readonly cardPayouts: CardPayouts;
}

export class FundService {
  readonly catalog: FundCatalog;
  /** The users' automatic sweeps of their idle balance into a fund. */
  readonly sweep: FundSweep;

  private constructor(
    private readonly deps: Deps,
    readonly calendar: TradingCalendar,
  ) {
    this.catalog = new FundCatalog(deps.db, deps.engine);
    this.sweep = new FundSweep({ db: deps.db, store: deps.store, clock: deps.clock, fund: this });
  }

  static async open(deps: Deps): Promise<FundService> {
    await deps.db.migrate('fund', FUND_MIGRATIONS);
    const holidays = await deps.db.all<{ date: string }>('SELECT date FROM fund_holidays');
    return new FundService(deps, new TradingCalendar(holidays.map((h) => h.date)));
  }

  private today(): string {
    return shanghaiDate(this.deps.clock.now());
  }

  /** Replaces the holiday list (dates 'YYYY-MM-DD'). */
  async setHolidays(dates: readonly string[]): Promise<string[]> {
    const bad = dates.find((d) => !isCalendarDate(d));
    if (bad !== undefined) throw new FundError('invalid_date', `'${bad}' is not a date 'YYYY-MM-DD'`);
    const unique = [...new Set(dates)];
    await this.deps.db.transaction(async (tx) => {
      await tx.run('DELETE FROM fund_holidays');
      for (const date of unique) await tx.run('INSERT INTO fund_holidays (date) VALUES (?)', [date]);
    });
    this.calendar.setHolidays(unique);
    return this.calendar.holidayList();
  }

  async setRiskProfile(userId: string, answers: readonly number[]): Promise<number> {
    const tolerance = riskTolerance(answers);
    await this.deps.db.run(
      `INSERT INTO fund_risk_profiles (user_id, tolerance, answers, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET tolerance = excluded.tolerance, answers = excluded.answers, updated_at = excluded.updated_at`,
      [userId, tolerance, JSON.stringify(answers), BigInt(this.deps.clock.now())],
    );
    return tolerance;
  }

  private async riskToleranceOf(userId: string): Promise<number | undefined> {
    const row = await this.deps.db.get<{ tolerance: bigint | number }>('SELECT tolerance FROM fund_risk_profiles WHERE user_id = ?', [userId]);
    return row && Number(row.tolerance);
  }

  /** Buys shares with wallet cash; pending until the confirmation date. Idempotent on requestId. */
  async subscribe(userId: string, input: { fundId: string; amountMinor: bigint; currency: string; requestId: string }): Promise<Subscription> {
    const fund = await this.catalog.require(input.fundId);
    requireCash(input.currency);
    const existing = await this.findSubscription(userId, input.requestId);
    if (existing) return replaySubscription(existing, input);
    await this.requireSuitable(userId, fund.riskLevel);
    if (input.amountMinor < MINIMUM_SUBSCRIPTION_MINOR) throw new FundError('amount_below_minimum', 'the smallest subscription is 1.00 CNY');
    await this.openHolder(fund.fundId, userId);
    const now = this.deps.clock.now();
    const row: SubscriptionRow = {
      user_id: userId,
      request_id: input.requestId,
      subscription_id: this.deps.ids.next('fsub'),
      fund_id: fund.fundId,
      amount_minor: input.amountMinor,
      day_key: shanghaiDate(now),
      confirm_date: this.calendar.confirmDateOf(now),
      status: 'pending',
      reason: '',
      created_at: BigInt(now),
    };
    const end = await this.deps.runner.run(subscribeStep(row, fund.dailyCapMinor));
    if (end === null) return replaySubscription((await this.findSubscription(userId, input.requestId))!, input);
    if (!end.applied) throw refused(end, 'insufficient_funds');
    return { subscriptionId: row.subscription_id, status: 'pending', confirmDate: row.confirm_date };
  }

  /** Refuses, as a purchase would, a user who may not buy the fund (level, questionnaire, suitability). */
  async requireMayBuy(userId: string, fundId: string): Promise<void> {
    await this.requireSuitable(userId, (await this.catalog.require(fundId)).riskLevel);
  }

  private async requireSuitable(userId: string, fundRisk: number): Promise<void> {
    const level = await this.deps.identity.level(userId);
    if (!mayInvest(level))
      throw new FundError('verification_required', `only real-name level III accounts may buy funds; this account is level ${level}`, { level });
    const tolerance = await this.riskToleranceOf(userId);
    if (tolerance === undefined) throw new FundError('risk_profile_required', 'complete the risk questionnaire before a first purchase');
    if (fundRisk > tolerance) {
      throw new FundError('suitability_mismatch', `this fund's risk level ${fundRisk} exceeds your risk tolerance ${tolerance}`, {
        fund_risk_level: String(fundRisk),
        risk_tolerance: String(tolerance),
      });
    }
  }

  private async openHolder(fundId: string, userId: string): Promise<void> {
    await this.deps.wallet.openWallet(userId);
    await this.deps.engine.ensureAccount(holderSharesAccount(fundId, userId));
  }

  private findSubscription(userId: string, requestId: string): Promise<SubscriptionRow | undefined> {
    return this.deps.db.get<SubscriptionRow>('SELECT * FROM fund_subscriptions WHERE user_id = ? AND request_id = ?', [userId, requestId]);
  }

  /**
   * Sells shares back: fast to the wallet at once (capped per day), or normal, arriving on the next
   * trading day in the wallet or, with `cardId`, on the user's bound card.
   */
  async redeem(userId: string, input: RedemptionInput): Promise<Redemption> {
    const fund = await this.catalog.require(input.fundId);
    const existing = await this.findRedemption(userId, input.requestId);
    if (existing) return replayRedemption(existing, input);
    if (input.cardId !== undefined) await this.deps.cardPayouts.requireBound(userId, input.cardId);
    await this.openHolder(fund.fundId, userId);
    const now = this.deps.clock.now();
    const row: RedemptionRow = {
      user_id: userId,
      request_id: input.requestId,
      redemption_id: this.deps.ids.next('fred'),
      fund_id: fund.fundId,
      shares_minor: input.sharesMinor,
      mode: input.mode,
      day_key: shanghaiDate(now),
      arrives_on: input.mode === 'fast' ? shanghaiDate(now) : this.calendar.confirmDateOf(now),
      card_id: input.cardId ?? '',
      status: input.mode === 'fast' ? 'completed' : 'pending',
      reason: '',
      created_at: BigInt(now),
    };
    const end = await this.deps.runner.run(redeemStep(row));
    if (end === null) return replayRedemption((await this.findRedemption(userId, input.requestId))!, input);
    if (!end.applied) throw refused(end, 'insufficient_shares');
    return toRedemption(row);
  }

  /** How much the user may still fast-redeem from the fund today (Asia/Shanghai). */
  async fastRedemptionLeft(userId: string, fundId: string): Promise<bigint> {
    await this.catalog.require(fundId);
    const used = await fastRedeemedOn(this.deps.db, userId, fundId, shanghaiDate(this.deps.clock.now()));
    return used >= FAST_REDEMPTION_CAP_MINOR ? 0n : FAST_REDEMPTION_CAP_MINOR - used;
  }

  private findRedemption(userId: string, requestId: string): Promise<RedemptionRow | undefined> {
    return this.deps.db.get<RedemptionRow>('SELECT * FROM fund_redemptions WHERE user_id = ? AND request_id = ?', [userId, requestId]);
  }

  /** The user's latest redemptions, newest first (refused ones are not kept as redemptions). */
  /** A page of the user's sales, newest first, and where the next (older) page starts. */
  async redemptionsOf(userId: string, page: { limit: number; before?: PageCursor }): Promise<{ redemptions: RedemptionEntry[]; next: PageCursor | null }> {
    const { limit, before } = page;
    const older = before ? 'AND (created_at < ? OR (created_at = ? AND redemption_id < ?))' : '';
    const rows = await this.deps.db.all<RedemptionRow>(
      `SELECT * FROM fund_redemptions WHERE user_id = ? AND status <> 'failed' ${older} ORDER BY created_at DESC, redemption_id DESC LIMIT ?`,
      [userId, ...(before ? [before.createdAt, before.createdAt, before.id] : []), limit + 1],
    );
    const redemptions = rows.slice(0, limit).map(toEntry);
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return { redemptions, next: last ? { createdAt: Number(last.created_at), id: last.redemption_id } : null };
  }

  async holdings(userId: string): Promise<Holding[]> {
    const rows = await this.deps.db.all<{
      fund_id: string;
      total_income_minor: bigint;
      last_income_minor: bigint;
      last_income_date: string;
      last_accrued_date: string;
    }>(
      `SELECT h.fund_id, h.total_income_minor, h.last_income_minor, h.last_income_date, f.last_accrued_date
       FROM fund_holdings h JOIN fund_funds f ON f.fund_id = h.fund_id WHERE h.user_id = ? ORDER BY h.fund_id`,
      [userId],
    );
    return Promise.all(
      rows.map(async (r) => {
        const account = await this.deps.store.getAccount(fundSharesAccountId(r.fund_id, userId));
        const latest = r.last_accrued_date !== '' && r.last_income_date === r.last_accrued_date;
        return {
          fundId: r.fund_id,
          // Shares held and not on their way out: posted in, less posted and pending out.
          confirmedSharesMinor: (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n) - (account?.debitsPending ?? 0n),
          pendingSharesMinor: account?.creditsPending ?? 0n,
          yesterdayIncomeMinor: latest ? BigInt(r.last_income_minor) : 0n,
          totalIncomeMinor: BigInt(r.total_income_minor),
        };
      }),
    );
  }

  /** Confirms the subscriptions and delivers the normal redemptions due by today; returns how many. */
  async confirmDue(): Promise<number> {
    const today = this.today();
    let done = 0;
    for (;;) {
      const subs = await this.deps.db.all<SubscriptionRow>("SELECT * FROM fund_subscriptions WHERE status = 'pending' AND confirm_date <= ? LIMIT ?", [
        today,
        DUE_BATCH,
      ]);
      const reds = await this.deps.db.all<RedemptionRow>("SELECT * FROM fund_redemptions WHERE status = 'pending' AND arrives_on <= ? LIMIT ?", [
        today,
        DUE_BATCH,
      ]);
      if (subs.length === 0 && reds.length === 0) return done + (await this.payOutArrived());
      // Run together, they share the engine's write groups.
      await Promise.all([...subs.map((s) => this.deps.runner.run(confirmStep(s))), ...reds.map((r) => this.deps.runner.run(settleRedemptionStep(r)))]);
      done += subs.length + reds.length;
    }
  }

  /**
   * Redemptions that arrived in the wallet on their way to a card go on as card withdrawals, each
   * under a request id of its own so a rerun after a crash meets the same withdrawal. A withdrawal
   * the bank declines, or a card no longer bound, leaves the money in the wallet.
   */
  private async payOutArrived(): Promise<number> {
    const rows = await this.deps.db.all<RedemptionRow>("SELECT * FROM fund_redemptions WHERE status = 'paying_out' LIMIT ?", [DUE_BATCH]);
    for (const r of rows) {
      let opId = '';
      let reason = '';
      try {
        const op = await this.deps.cardPayouts.withdraw(r.user_id, {
          cardId: r.card_id,
          amountMinor: BigInt(r.shares_minor),
          currency: PLATFORM_CURRENCY.code,
          requestId: `fund_${r.redemption_id}`,
        });
        opId = op.opId;
        reason = op.status === 'failed' ? `card payout failed (${op.reason}); the money stayed in the wallet` : '';
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        reason = `card payout refused (${error.code}); the money stayed in the wallet`;
      }
      await this.deps.db.run(
        "UPDATE fund_redemptions SET status = 'completed', payout_op_id = ?, reason = ? WHERE redemption_id = ? AND status = 'paying_out'",
        [opId, reason, r.redemption_id],
      );
    }
    return rows.length;
  }

  /** When the next confirmation or arrival is due (00:00 of its date in Shanghai). */
  async nextConfirmationDue(): Promise<number | null> {
    const row = await this.deps.db.get<{ sub: string | null; red: string | null }>(
      `SELECT (SELECT MIN(confirm_date) FROM fund_subscriptions WHERE status = 'pending') AS sub,
              (SELECT MIN(arrives_on) FROM fund_redemptions WHERE status IN ('pending', 'paying_out')) AS red`,
    );
    const dates = [row?.sub, row?.red].filter((d): d is string => typeof d === 'string');
    return dates.length === 0 ? null : startOfShanghaiDay(dates.sort()[0]);
  }

  /** Publishes a day's income per 10,000 shares; the accrual runs once the day is over. */
  publishIncome(fundId: string, date: string, rE4: bigint) {
    if (!isCalendarDate(date)) throw new FundError('invalid_date', `'${date}' is not a date 'YYYY-MM-DD'`);
    return this.catalog.publishIncome(fundId, date, rE4, this.today(), this.deps.clock.now());
  }

  /** Pays the income of every published date up to `date` not paid yet, in date order; a rerun pays nothing. */
  async accrue(fundId: string, date: string, progress: AccrualProgressListener = () => {}): Promise<AccrualResult> {
    if (!isCalendarDate(date)) throw new FundError('invalid_date', `'${date}' is not a date 'YYYY-MM-DD'`);
    await this.catalog.require(fundId);
    const target = await this.income(fundId, date);
    if (!target) throw new FundError('income_not_published', `no income is published for ${fundId} on ${date}`);
    if (target.status !== 'done') {
      if (startOfShanghaiDay(addDays(date, 1)) > this.deps.clock.now())
        throw new FundError('accrual_not_due', `${date} is not over yet; its income accrues after midnight`);
      await this.confirmDue();
      const open = await this.deps.db.all<{ date: string }>(
        "SELECT date FROM fund_incomes WHERE fund_id = ? AND status <> 'done' AND date <= ? ORDER BY date",
        [fundId, date],
      );
      for (const o of open) await this.accrueDate(fundId, o.date, progress);
    }
    const done = (await this.income(fundId, date))!;
    return { date, holders: BigInt(done.holders), paidMinor: BigInt(done.paid_minor) };
  }

  private async accrueDate(fundId: string, date: string, progress: AccrualProgressListener): Promise<void> {
    await this.deps.runner.run(declareStep(fundId, date));
    const declared = (await this.income(fundId, date))!;
    const holders = BigInt(declared.holders);
    let paidHolders = BigInt(declared.paid_holders);
    progress({ date, holders, paidHolders });
    // Two batches in flight: the next one claims and books while the one before waits for its
    // commit to reach the disk. A batch that finds every holder paid answers 0.
    const nextBatch = () => this.deps.runner.run(payBatchStep(fundId, date));
    let inFlight = [nextBatch(), nextBatch()];
    try {
      for (let paid = await inFlight[0]; paid > 0; paid = await inFlight[0]) {
        paidHolders += BigInt(paid);
        progress({ date, holders, paidHolders });
        inFlight = [inFlight[1], nextBatch()];
      }
    } finally {
      await Promise.allSettled(inFlight);
    }
  }

  private income(fundId: string, date: string): Promise<IncomeRow | undefined> {
    return this.deps.db.get<IncomeRow>('SELECT * FROM fund_incomes WHERE fund_id = ? AND date = ?', [fundId, date]);
  }

  /** Each fund's assets under management and the income paid for its latest accrued date. */
  async figures(): Promise<FundFigures[]> {
    const funds = await this.catalog.list();
    return Promise.all(
      funds.map(async (f) => {
        const custody = await this.deps.store.getAccount(fundCustodyAccountId(f.fundId));
        const paid = f.lastAccruedDate ? await this.income(f.fundId, f.lastAccruedDate) : undefined;
        return {
          fundId: f.fundId,
          name: f.name,
          aumMinor: (custody?.creditsPosted ?? 0n) - (custody?.debitsPosted ?? 0n),
          incomeDate: f.lastAccruedDate,
          incomePaidMinor: BigInt(paid?.paid_minor ?? 0n),
          holdersPaid: BigInt(paid?.paid_holders ?? 0n),
        };
      }),
    );
  }

  /** The accrual job: every fund's published dates whose day is over, oldest first. */
  async accrueDue(): Promise<number> {
    const lastOver = addDays(this.today(), -1);
    const due = await this.deps.db.all<{ fund_id: string; date: string }>(
      "SELECT fund_id, MAX(date) AS date FROM fund_incomes WHERE status <> 'done' AND date <= ? GROUP BY fund_id",
      [lastOver],
    );
    for (const d of due) await this.accrue(d.fund_id, d.date);
    return due.length;
  }

  /** When the next accrual is due: the midnight after the oldest unpaid published date. */
  async nextAccrualDue(): Promise<number | null> {
    const row = await this.deps.db.get<{ date: string | null }>("SELECT MIN(date) AS date FROM fund_incomes WHERE status <> 'done'");
    return row?.date ? startOfShanghaiDay(addDays(row.date, 1)) : null;
  }
}

function requireCash(currency: string): void {
  if (currency !== PLATFORM_CURRENCY.code)
    throw new FundError('currency_not_supported', `funds are bought in ${PLATFORM_CURRENCY.code} only, not '${currency}'`);
}

type NoFunds = 'insufficient_funds' | 'insufficient_shares';

/** A refused order's error: too little cash (or shares), or the ledger's own reason. */
function refusal(reason: string, result: string, noFunds: NoFunds): FundError {
  if (reason !== 'insufficient_funds') return new FundError(noFunds, `the ledger refused the order (${result})`);
  return noFunds === 'insufficient_funds'
    ? new FundError('insufficient_funds', 'the wallet balance is too low for this subscription')
    : new FundError('insufficient_shares', 'more shares than the confirmed shares held');
}

function refused(end: OrderEnd, noFunds: NoFunds): FundError {
  if (end === null || end.applied) throw new Error('only a refused order has a refusal');
  return refusal(end.reason, end.result, noFunds);
}

/** A stored order answers its replay the same way, or refuses the request id for another order. */
function replayed(row: { status: string; reason: string }, same: boolean, requestId: string, noFunds: NoFunds): void {
  if (!same) throw new FundError('request_id_reused', `request_id '${requestId}' was already used for a different order`);
  if (row.status === 'failed') {
    const [reason, result = ''] = row.reason.split(':');
    throw refusal(reason, result, noFunds);
  }
}

function replaySubscription(row: SubscriptionRow, input: { fundId: string; amountMinor: bigint; requestId: string }): Subscription {
  replayed(row, row.fund_id === input.fundId && BigInt(row.amount_minor) === input.amountMinor, input.requestId, 'insufficient_funds');
  return { subscriptionId: row.subscription_id, status: 'pending', confirmDate: row.confirm_date };
}

function replayRedemption(row: RedemptionRow, input: RedemptionInput): Redemption {
  replayed(
    row,
    row.fund_id === input.fundId && BigInt(row.shares_minor) === input.sharesMinor && row.mode === input.mode && row.card_id === (input.cardId ?? ''),
    input.requestId,
    'insufficient_shares',
  );
  return toRedemption(row);
}

function toEntry(row: RedemptionRow): RedemptionEntry {
  const arrived = row.status === 'completed';
  // A card payout that failed or was refused leaves the money in the wallet, with the reason kept.
  const toCard = row.card_id !== '' && row.reason === '';
  return {
    redemptionId: row.redemption_id,
    fundId: row.fund_id,
    sharesMinor: BigInt(row.shares_minor),
    mode: row.mode,
    cardId: row.card_id || undefined,
    arrivesOn: row.arrives_on,
    createdAt: Number(row.created_at),
    paidTo: arrived ? (toCard ? 'card' : 'wallet') : undefined,
  };
}

/** As first answered: a fast redemption is completed at once, a normal one pending until it arrives. */
function toRedemption(row: RedemptionRow): Redemption {
  return { redemptionId: row.redemption_id, status: row.mode === 'fast' ? 'completed' : 'pending', arrivesOn: row.arrives_on };
}
