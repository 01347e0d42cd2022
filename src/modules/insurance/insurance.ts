// Return-shipping insurance on escrow trades: the quote from the seller's and the buyer's return
// history, the policy bought with the payment (the premium into the insurance pool), and the claim
// that pays the buyer from the pool by itself once a refund of the shipped trade has succeeded:
// once per trade, at most a few per buyer per month. Each day's premiums, claims and loss ratio
// are reported, with an alert when the ratio passes the configured threshold.
import client from 'prom-client';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { registry } from '../../engine/metrics.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { AccountCode, derivedId, insurancePoolAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import { addDays, DEFAULT_DAY_CONFIG, dayOf, dayWindow, parseDate } from '../reconciliation/day.ts';
import type { Trade, TradeService } from '../trade/trade.ts';
import { InsuranceError } from './insurance-errors.ts';
import { INSURANCE_MIGRATIONS } from './insurance-schema.ts';
import { buyStep, claimStep, type PolicyRow } from './insurance-steps.ts';
import { type Quote, quote, type ReturnHistory } from './pricing.ts';

export const DEFAULT_CLAIMS_PER_MONTH = 3;
export const DEFAULT_LOSS_RATIO_ALERT = 0.8;

const lossRatioAlerts = new client.Counter({
  name: 'formica_insurance_loss_ratio_alerts_total',
  help: 'Days whose return-shipping insurance loss ratio passed the alert threshold',
  registers: [registry],
});

export interface InsuranceDeps {
  readonly db: SqlDatabase;
  readonly engine: LedgerEngine;
  readonly runner: StepRunner;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly trades: TradeService;
  readonly claimsPerMonth?: number;
  /** Claims over premiums above this alerts (default FORMICA_INSURANCE_ALERT_RATIO or 0.8). */
  readonly lossRatioAlert?: number;
  readonly onAlert?: (report: LossReport) => void;
}

export interface LossReport {
  readonly date: string;
  readonly premiumsMinor: bigint;
  readonly claimsMinor: bigint;
  /** Claims over premiums, 4 decimals; null on a day without premiums. */
  readonly lossRatio: string | null;
}

export class InsuranceService {
  private constructor(private readonly deps: InsuranceDeps) {}

  static async open(deps: InsuranceDeps): Promise<InsuranceService> {
    await deps.db.migrate('insurance', INSURANCE_MIGRATIONS);
    const id = insurancePoolAccountId(PLATFORM_CURRENCY.code);
    // No balance limit: a bad day's claims may exceed the pool, and the report must show it.
    await deps.engine.ensureAccount({ id, ledger: PLATFORM_CURRENCY.ledger, code: AccountCode.insurancePool, flags: 0, userData: 'insurance' });
    return new InsuranceService(deps);
  }

  /** The premium and payout the buyer would get on this trade now. */
  async quoteFor(userId: string, tradeNo: string): Promise<Quote> {
    return this.price(await this.insurable(userId, tradeNo, ['WAIT_BUYER_PAY', 'WAIT_SELLER_SEND_GOODS']), userId);
  }

  /** Buys the buyer's policy on a trade it has paid and the seller not yet shipped; once per trade. */
  async buy(userId: string, tradeNo: string): Promise<PolicyRow> {
    const existing = await this.policyOf(tradeNo);
    if (existing?.buyer_user_id === userId) return existing;
    const trade = await this.insurable(userId, tradeNo, ['WAIT_SELLER_SEND_GOODS']);
    const priced = await this.price(trade, userId);
    const policyId = this.deps.ids.next('pol');
    const row: PolicyRow = {
      policy_id: policyId,
      trade_no: tradeNo,
      buyer_user_id: userId,
      merchant_id: trade.merchantId,
      premium_minor: priced.premiumMinor,
      payout_minor: priced.payoutMinor,
      premium_transfer_id: derivedId('insp', tradeNo),
      status: 'active',
      created_at: BigInt(this.deps.clock.now()),
      claim_minor: 0n,
      claim_month: '',
      claim_transfer_id: '',
      claimed_at: null,
    };
    const verdict = await this.deps.runner.run(buyStep(row));
    if (verdict && !verdict.applied) throw new InsuranceError('insufficient_funds', 'the balance is too low for the premium');
    const bought = await this.policyOf(tradeNo);
    if (bought?.buyer_user_id !== userId) throw new InsuranceError('not_insurable', `trade ${tradeNo} is insured already`);
    return bought;
  }

  /** Pays the claim of every active policy whose shipped trade has had a refund; returns how many it settled. */
  async claimDue(limit = 200): Promise<number> {
    const active = await this.deps.db.all<PolicyRow>("SELECT * FROM insurance_policies WHERE status = 'active' ORDER BY created_at LIMIT ?", [limit]);
    let settled = 0;
    for (const policy of active) {
      const trade = await this.deps.trades.getForBuyer(policy.trade_no);
      if (trade.shippedAtMs === undefined || trade.refundedMinor === 0n) continue;
      const nowMs = this.deps.clock.now();
      const month = dayOf(nowMs, DEFAULT_DAY_CONFIG).slice(0, 7);
      const capPerMonth = this.deps.claimsPerMonth ?? DEFAULT_CLAIMS_PER_MONTH;
      if ((await this.deps.runner.run(claimStep({ policyId: policy.policy_id, month, capPerMonth, nowMs }))) !== null) settled++;
    }
    return settled;
  }

  policies(userId: string): Promise<PolicyRow[]> {
    return this.deps.db.all<PolicyRow>('SELECT * FROM insurance_policies WHERE buyer_user_id = ? ORDER BY created_at DESC', [userId]);
  }

  policyOf(tradeNo: string): Promise<PolicyRow | undefined> {
    return this.deps.db.get<PolicyRow>('SELECT * FROM insurance_policies WHERE trade_no = ?', [tradeNo]);
  }

  /** A day's (Asia/Shanghai) premiums taken, claims paid, and their ratio. */
  async report(date: string): Promise<LossReport> {
    try {
      parseDate(date);
    } catch {
      throw new InsuranceError('invalid_date', `'${date}' is not a date in the form YYYY-MM-DD`);
    }
    const { fromMs, toMs } = dayWindow(date, DEFAULT_DAY_CONFIG);
    const [from, to] = [BigInt(fromMs), BigInt(toMs)];
    const premiums = await this.deps.db.get<{ s: bigint | null }>(
      'SELECT SUM(premium_minor) AS s FROM insurance_policies WHERE created_at >= ? AND created_at < ?',
      [from, to],
    );
    const claims = await this.deps.db.get<{ s: bigint | null }>(
      "SELECT SUM(claim_minor) AS s FROM insurance_policies WHERE status = 'claimed' AND claimed_at >= ? AND claimed_at < ?",
      [from, to],
    );
    const premiumsMinor = BigInt(premiums?.s ?? 0n);
    const claimsMinor = BigInt(claims?.s ?? 0n);
    return { date, premiumsMinor, claimsMinor, lossRatio: ratio(claimsMinor, premiumsMinor) };
  }

  /** Reports the last closed day once, alerting when its loss ratio passes the threshold; a job calls it. */
  async reportLastClosedDay(): Promise<LossReport | null> {
    const date = addDays(dayOf(this.deps.clock.now(), DEFAULT_DAY_CONFIG), -1);
    if (await this.deps.db.get('SELECT 1 AS one FROM insurance_reports WHERE date = ?', [date])) return null;
    const report = await this.report(date);
    const threshold = this.deps.lossRatioAlert ?? (Number(process.env.FORMICA_INSURANCE_ALERT_RATIO) || DEFAULT_LOSS_RATIO_ALERT);
    const alert = report.lossRatio !== null && Number(report.lossRatio) > threshold;
    const stored = await this.deps.db.run(
      'INSERT INTO insurance_reports (date, premiums_minor, claims_minor, alerted, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (date) DO NOTHING',
      [date, report.premiumsMinor, report.claimsMinor, alert ? 1n : 0n, BigInt(this.deps.clock.now())],
    );
    if (alert && stored.changes === 1) {
      lossRatioAlerts.inc();
      (this.deps.onAlert ?? ((r: LossReport) => console.warn(`insurance alert: the loss ratio of ${r.date} is ${r.lossRatio} (threshold ${threshold})`)))(
        report,
      );
    }
    return report;
  }

  /** When the next day's report is due: the start of tomorrow (Shanghai), or now if yesterday's is missing. */
  async nextReportDue(): Promise<number> {
    const now = this.deps.clock.now();
    const today = dayOf(now, DEFAULT_DAY_CONFIG);
    const done = await this.deps.db.get('SELECT 1 AS one FROM insurance_reports WHERE date = ?', [addDays(today, -1)]);
    return done ? dayWindow(today, DEFAULT_DAY_CONFIG).toMs : now;
  }

  private async insurable(userId: string, tradeNo: string, statuses: readonly string[]): Promise<Trade> {
    const trade = await this.deps.trades.getForBuyer(tradeNo);
    const mine = trade.buyerUserId === undefined || trade.buyerUserId === userId;
    if (trade.productCode !== 'ESCROW_TRADE_PAY' || !mine || !statuses.includes(trade.status)) {
      throw new InsuranceError('not_insurable', 'return-shipping insurance covers your own escrow trades, bought with the payment, before the goods ship');
    }
    return trade;
  }

  /** Priced from the histories before this trade, so the premium bought is the premium quoted before paying. */
  private async price(trade: Trade, buyerUserId: string): Promise<Quote> {
    const seller = withoutTrade(await this.deps.trades.returnHistory({ merchantId: trade.merchantId }), trade);
    return quote(seller, withoutTrade(await this.deps.trades.returnHistory({ buyerUserId }), trade));
  }
}

function withoutTrade(history: ReturnHistory, trade: Trade): ReturnHistory {
  if (trade.paidAtMs === undefined) return history;
  return { paid: history.paid - 1, returned: history.returned - (trade.refundedMinor > 0n ? 1 : 0) };
}

/** Claims over premiums with 4 decimals, rounded half up, from integers only. */
export function ratio(claimsMinor: bigint, premiumsMinor: bigint): string | null {
  if (premiumsMinor === 0n) return null;
  const scaled = (claimsMinor * 20_000n + premiumsMinor) / (2n * premiumsMinor);
  return `${scaled / 10_000n}.${(scaled % 10_000n).toString().padStart(4, '0')}`;
}
