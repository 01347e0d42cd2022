// The operator's portfolio: outstanding, disbursed, repaid, the NPL ratio (90+ principal over all
// principal outstanding), principal and provisions by days-past-due bucket, write-offs, and the
// pay-later book. The servicing job keeps one row of the loan figures per day, so the dashboard can
// draw them over time; both come from one aggregate query, never a read of every loan.
import type { SqlExecutor } from '../../../store/sql.ts';
import { type Bucket, BUCKETS, bucketOf } from '../loans/loan-math.ts';
import { isLive } from '../loans/loan-row.ts';
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

/** The loans' part of the portfolio: everything but the pay-later book. */
export type LoanBook = Omit<Portfolio, 'payLater'>;

interface LoanGroupRow extends Record<string, unknown> {
  status: string;
  days_past_due: bigint;
  outstanding: bigint | string;
  disbursed: bigint | string;
  repaid: bigint | string;
  provision: bigint | string;
  written_off: bigint | string;
}

// One aggregate query over credit_loans: a row per status and days past due (bounded by how long a
// loan can stay past due, not by how many loans there are), folded into the buckets here so that
// bucketOf stays the one definition of a bucket. PostgreSQL sums BIGINT as NUMERIC, which arrives as text.
const LOAN_GROUPS_SQL = `SELECT status, days_past_due, SUM(outstanding_principal) AS outstanding, SUM(principal) AS disbursed,
  SUM(repaid_principal) AS repaid, SUM(provision) AS provision, SUM(written_off_principal) AS written_off
  FROM credit_loans GROUP BY status, days_past_due`;

const noBuckets = () => Object.fromEntries(BUCKETS.map((b) => [b, 0n])) as Record<Bucket, bigint>;

export async function loanBook(db: SqlExecutor): Promise<LoanBook> {
  const buckets = noBuckets();
  const provisionsByBucket = noBuckets();
  let [outstanding, disbursed, repaid, provisions, writtenOff] = [0n, 0n, 0n, 0n, 0n];
  for (const g of await db.all<LoanGroupRow>(LOAN_GROUPS_SQL)) {
    outstanding += BigInt(g.outstanding);
    disbursed += BigInt(g.disbursed);
    repaid += BigInt(g.repaid);
    provisions += BigInt(g.provision);
    writtenOff += BigInt(g.written_off);
    if (!isLive(g.status)) continue;
    const bucket = bucketOf(Number(g.days_past_due));
    buckets[bucket] += BigInt(g.outstanding);
    provisionsByBucket[bucket] += BigInt(g.provision);
  }
  const nplPpm = outstanding === 0n ? 0n : (buckets['90+'] * 1_000_000n) / outstanding;
  return { outstanding, disbursed, repaid, nplPpm, buckets, provisions, provisionsByBucket, writtenOff };
}

export async function portfolioOf(db: SqlExecutor, today: string): Promise<Portfolio> {
  return { ...(await loanBook(db)), payLater: await payLaterBook(db, today) };
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
export async function recordPortfolioDay(db: SqlExecutor, day: string, p: LoanBook): Promise<void> {
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
