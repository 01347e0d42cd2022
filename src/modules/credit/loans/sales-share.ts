// A merchant loan repaid from sales, with the merchant's consent: each day, the agreed share of what
// that day's settlements brought the merchant (the settled amounts less the platform's fee) goes to
// the loan from the settlement account, in the spec's repayment order, as a repayment step the
// clock-driven servicing runs once the day is over. The share is rounded down to the fen: the
// fraction stays with the merchant, where it already is. Each day is one request id, so a rerun
// after a crash replays instead of taking twice.
import type { SqlDatabase } from '../../../store/sql.ts';
import type { LedgerStore } from '../../../store/store.ts';
import { merchantSettlementAccountId } from '../../books/chart.ts';
import type { StepRunner } from '../../books/step-runner.ts';
import { addDays, startOfShanghaiDay } from '../../fund/fund-calendar.ts';
import { CreditError } from '../credit-errors.ts';
import type { TradeActivity } from '../merchant-features.ts';
import { smaller } from './loan-math.ts';
import { isLive, type Loan, readLoan } from './loan-row.ts';
import { type RepaymentEnd, repaymentStep } from './loan-steps.ts';

const BPS = 10_000n;

/** A share given in whole percent (0 to 100) as basis points; anything else is refused. */
export function shareBps(percent: number): bigint {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new CreditError('invalid_term', 'the share of sales is a whole percent from 0 to 100');
  return BigInt(percent) * 100n;
}

/** The day's share, rounded down to the fen. */
export function shareOf(settled: bigint, bps: bigint): bigint {
  return settled > 0n ? (settled * bps) / BPS : 0n;
}

/** What a merchant's settlement account can pay now: posted credits less posted and pending debits. */
export async function settlementAvailable(store: LedgerStore, merchantId: string): Promise<bigint> {
  const account = await store.getAccount(merchantSettlementAccountId(merchantId));
  return account ? account.creditsPosted - account.debitsPosted - account.debitsPending : 0n;
}

export class SalesShare {
  constructor(
    private readonly db: SqlDatabase,
    private readonly runner: StepRunner,
    private readonly store: LedgerStore,
    private readonly trades: TradeActivity,
  ) {}

  /** Sets (or with 0 withdraws) the merchant's consent on one of its live loans. */
  async consent(userId: string, loanId: string, percent: number): Promise<Loan> {
    const bps = shareBps(percent);
    const loan = await readLoan(this.db, loanId);
    if (!loan || loan.userId !== userId) throw new CreditError('loan_not_found', 'no such loan of yours');
    if (!loan.merchantId) throw new CreditError('not_a_merchant_loan', "only a loan on a merchant's line is repaid from its sales");
    if (!isLive(loan.state.status)) throw new CreditError('loan_closed', `the loan is ${loan.state.status}`);
    await this.db.run('UPDATE credit_loans SET sales_share_bps = ? WHERE loan_id = ?', [bps, loanId]);
    return (await readLoan(this.db, loanId))!;
  }

  /** Net settlements to the merchant on `day`, counted from the loan's disbursement. */
  async settledOn(loan: Loan, day: string): Promise<bigint> {
    const fromMs = Math.max(startOfShanghaiDay(day), loan.disbursedAt);
    const toMs = startOfShanghaiDay(addDays(day, 1));
    const { trades } = await this.trades.activity(loan.merchantId, fromMs, toMs);
    return trades
      .filter((t) => t.settledAtMs !== undefined && t.settledAtMs >= fromMs && t.settledAtMs < toMs)
      .reduce((sum, t) => sum + t.settledAmountMinor - t.feeMinor, 0n);
  }

  /** Diverts the agreed share of `day`'s settlements to the loan, once per day; null when nothing was taken. */
  async sweep(loanId: string, day: string, nowMs: number): Promise<RepaymentEnd | null> {
    const loan = await readLoan(this.db, loanId);
    if (!loan || !isLive(loan.state.status) || !loan.merchantId || loan.salesShareBps === 0n || day <= loan.salesSweptThrough || day < loan.startDate)
      return null;
    const share = shareOf(await this.settledOn(loan, day), loan.salesShareBps);
    const upTo = smaller(share, await settlementAvailable(this.store, loan.merchantId));
    const end =
      upTo > 0n
        ? await this.runner.run(
            repaymentStep({
              loanId: loan.loanId,
              userId: loan.userId,
              requestId: `sales-${day}`,
              amount: { kind: 'owed', upTo },
              payerAccountId: merchantSettlementAccountId(loan.merchantId),
              nowMs,
            }),
          )
        : null;
    await this.db.run('UPDATE credit_loans SET sales_swept_through = ? WHERE loan_id = ? AND sales_swept_through < ?', [day, loan.loanId, day]);
    return end;
  }
}
