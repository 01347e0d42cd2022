// The operator's portfolio: outstanding, disbursed, repaid, the NPL ratio (90+ principal over all
// principal outstanding), principal and provisions by days-past-due bucket, write-offs, and the
// pay-later book. The servicing job keeps one row of these figures per day, so the dashboard can
// draw them over time.
import type { SqlExecutor } from '../../../store/sql.ts';
import { type Bucket, BUCKETS, bucketOf } from '../loans/loan-math.ts';
import { isLive, type Loan, type LoanRow, loanFromRow } from '../loans/loan-row.ts';
import { daysOverdue, owedOn, type StatementRow, statementFromRow } from '../paylater/paylater-statement.ts';

export interface Portfolio {
  readonly outstanding: bigint;
  readonly disbursed: bigint;
  readonly repaid: bigint;
  /** Non-performing (90+) principal over all principal outstanding, in millionths. */
  readonly nplPpm: bigint;
  readonly buckets: Readonly<Record<Bucket, bigint>>;
  readonly provisions: bigint;
  readonly provisionsByBucket: Readonly<Record<Bucket, bigint>>;
  readonly writtenOff: bigint;
  /** Pay later: principal owed on statements and on purchases not billed yet; of it, on statements past due. */
  readonly payLater: { readonly outstanding: bigint; readonly overdue: bigint };
}

/** One day of the history: the figures as the day's last servicing left them. */
export interface PortfolioDay {
  readonly day: string;
  readonly outstanding: bigint;
  readonly nplPpm: bigint;
  readonly provisions: bigint;
  readonly buckets: Readonly<Record<Bucket, bigint>>;
  readonly writtenOff: bigint;
}

function byBucket(loans: readonly Loan[], pick: (l: Loan) => bigint): Record<Bucket, bigint> {
  const totals = Object.fromEntries(BUCKETS.map((b) => [b, 0n])) as Record<Bucket, bigint>;
  for (const l of loans) if (isLive(l.state.status)) totals[bucketOf(l.state.daysPastDue)] += pick(l);
  return totals;
}

export async function portfolioOf(db: SqlExecutor, today: string): Promise<Portfolio> {
  const loans = (await db.all<LoanRow>('SELECT * FROM credit_loans')).map(loanFromRow);
  const sum = (pick: (l: Loan) => bigint) => loans.reduce((s, l) => s + pick(l), 0n);
  const outstanding = sum((l) => l.state.outstandingPrincipal);
  const buckets = byBucket(loans, (l) => l.state.outstandingPrincipal);
  return {
    outstanding,
    disbursed: sum((l) => l.principal),
    repaid: sum((l) => l.repaidPrincipal),
    nplPpm: outstanding === 0n ? 0n : (buckets['90+'] * 1_000_000n) / outstanding,
    buckets,
    provisions: sum((l) => l.state.provision),
    provisionsByBucket: byBucket(loans, (l) => l.state.provision),
    writtenOff: sum((l) => l.writtenOffPrincipal),
    payLater: await payLaterBook(db, today),
  };
}

async function payLaterBook(db: SqlExecutor, today: string): Promise<Portfolio['payLater']> {
  const statements = (await db.all<StatementRow>('SELECT * FROM paylater_statements')).map(statementFromRow);
  const unbilled = await db.get<{ total: bigint | null }>("SELECT SUM(amount) AS total FROM paylater_purchases WHERE month = ''");
  let outstanding = BigInt(unbilled?.total ?? 0n);
  let overdue = 0n;
  for (const s of statements) {
    const owed = owedOn(s).principal;
    outstanding += owed;
    if (daysOverdue(s, today) > 0) overdue += owed;
  }
  return { outstanding, overdue };
}

const text = (figures: Record<string, bigint>) => Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, v.toString()]));

/** Keeps today's figures (replacing an earlier run's of the same day). */
export async function recordPortfolioDay(db: SqlExecutor, day: string, p: Portfolio): Promise<void> {
  const figures = JSON.stringify({
    outstanding: p.outstanding.toString(),
    npl_ppm: p.nplPpm.toString(),
    provisions: p.provisions.toString(),
    written_off: p.writtenOff.toString(),
    buckets: text(p.buckets),
  });
  await db.run('INSERT INTO credit_portfolio_days (day, figures) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET figures = ?', [day, figures, figures]);
}

/** The last `days` recorded days, oldest first. */
export async function portfolioHistory(db: SqlExecutor, days: number): Promise<PortfolioDay[]> {
  const rows = await db.all<{ day: string; figures: string }>('SELECT day, figures FROM credit_portfolio_days ORDER BY day DESC LIMIT ?', [days]);
  return rows.reverse().map(({ day, figures }) => {
    const f = JSON.parse(figures) as { outstanding: string; npl_ppm: string; provisions: string; written_off: string; buckets: Record<Bucket, string> };
    return {
      day,
      outstanding: BigInt(f.outstanding),
      nplPpm: BigInt(f.npl_ppm),
      provisions: BigInt(f.provisions),
      writtenOff: BigInt(f.written_off),
      buckets: Object.fromEntries(BUCKETS.map((b) => [b, BigInt(f.buckets[b])])) as Record<Bucket, bigint>,
    };
  });
}
