// The monthly credit-bureau report: one CSV line per borrower (a person for loans on their own line
// and for pay later, a merchant for loans on its line) who had borrowed by the month's end, with what
// was lent and repaid in the month and where the borrower stands. A closed month's report is written
// once (by the servicing job on the first run of the next month, or by the first request for it)
// and kept, so what was sent to the bureau can be produced again word for word.
import { stringify } from 'csv-stringify/sync';
import type { SqlDatabase } from '../../../store/sql.ts';
import { PLATFORM_CURRENCY } from '../../books/platform-currency.ts';
import { addDays, shanghaiDate, startOfShanghaiDay } from '../../fund/fund-calendar.ts';
import { formatMinor } from '../../../money/amount.ts';
import { CreditError } from '../credit-errors.ts';
import { bucketOf, type Owed } from '../loans/loan-math.ts';
import { isLive, type LoanRow, loanFromRow } from '../loans/loan-row.ts';
import { addMonths } from '../loans/loan-schedule.ts';
import { daysOverdue, owedOn, type StatementRow, statementFromRow } from '../paylater/paylater-statement.ts';

export const BUREAU_COLUMNS = [
  'month',
  'borrower_type',
  'borrower_id',
  'products',
  'disbursed_in_month',
  'repaid_in_month',
  'outstanding_principal',
  'overdue_amount',
  'days_past_due',
  'bucket',
  'written_off',
  'status',
] as const;

type Column = (typeof BUREAU_COLUMNS)[number];

interface Borrower {
  readonly type: 'person' | 'merchant';
  readonly id: string;
  readonly products: Set<'loan' | 'paylater'>;
  disbursed: bigint;
  repaid: bigint;
  outstanding: bigint;
  overdue: bigint;
  daysPastDue: number;
  writtenOff: bigint;
}

const cash = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

/** 'YYYY-MM' of a real month, or a 400-class refusal. */
export function checkMonth(month: string): void {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new CreditError('invalid_term', 'a month is YYYY-MM');
}

/** The worst standing first: a write-off, then non-performing (90+), overdue, current, and closed (nothing owed). */
function statusOf(b: Borrower): string {
  if (b.writtenOff > 0n) return 'written_off';
  if (b.daysPastDue > 90) return 'non_performing';
  if (b.daysPastDue > 0) return 'overdue';
  return b.outstanding > 0n ? 'current' : 'closed';
}

export class BureauReports {
  constructor(
    private readonly db: SqlDatabase,
    private readonly nowMs: () => number,
  ) {}

  /** The month's report as kept, written now if the month is over and it was not written yet. */
  async report(month: string): Promise<string> {
    checkMonth(month);
    const kept = await this.db.get<{ csv: string }>('SELECT csv FROM credit_bureau_reports WHERE month = ?', [month]);
    if (kept) return kept.csv;
    const nextMonth = addMonths(`${month}-01`, 1);
    if (shanghaiDate(this.nowMs()) < nextMonth) throw new CreditError('month_not_closed', `the month ${month} is not over yet`);
    const csv = await this.compose(month, startOfShanghaiDay(`${month}-01`), startOfShanghaiDay(nextMonth));
    await this.db.run('INSERT INTO credit_bureau_reports (month, csv, created_at) VALUES (?, ?, ?) ON CONFLICT (month) DO NOTHING', [month, csv, this.nowMs()]);
    return (await this.db.get<{ csv: string }>('SELECT csv FROM credit_bureau_reports WHERE month = ?', [month]))!.csv;
  }

  /** Writes last month's report once a new month has begun (the servicing job calls this every run). */
  async reportLastMonth(): Promise<void> {
    await this.report(addMonths(`${shanghaiDate(this.nowMs()).slice(0, 7)}-01`, -1).slice(0, 7));
  }

  private async compose(month: string, fromMs: number, toMs: number): Promise<string> {
    const borrowers = new Map<string, Borrower>();
    const borrower = (type: Borrower['type'], id: string) => {
      const key = `${type}:${id}`;
      let b = borrowers.get(key);
      if (!b) {
        b = { type, id, products: new Set(), disbursed: 0n, repaid: 0n, outstanding: 0n, overdue: 0n, daysPastDue: 0, writtenOff: 0n };
        borrowers.set(key, b);
      }
      return b;
    };
    await this.addLoans(borrower, fromMs, toMs);
    await this.addPayLater(borrower, month, fromMs, toMs);
    const lines = [...borrowers.values()]
      .sort((a, b) => (a.type === b.type ? (a.id < b.id ? -1 : 1) : a.type < b.type ? -1 : 1))
      .map(
        (b): Record<Column, string> => ({
          month,
          borrower_type: b.type,
          borrower_id: b.id,
          products: [...b.products].sort().join('+'),
          disbursed_in_month: cash(b.disbursed),
          repaid_in_month: cash(b.repaid),
          outstanding_principal: cash(b.outstanding),
          overdue_amount: cash(b.overdue),
          days_past_due: String(b.daysPastDue),
          bucket: bucketOf(b.daysPastDue),
          written_off: cash(b.writtenOff),
          status: statusOf(b),
        }),
      );
    return stringify(lines, { header: true, columns: [...BUREAU_COLUMNS] });
  }

  private async addLoans(borrower: (type: Borrower['type'], id: string) => Borrower, fromMs: number, toMs: number): Promise<void> {
    const loans = (await this.db.all<LoanRow>('SELECT * FROM credit_loans WHERE disbursed_at < ? ORDER BY loan_id', [toMs])).map(loanFromRow);
    const repaid = await this.db.all<{ loan_id: string; applied: string }>(
      "SELECT loan_id, applied FROM credit_repayments WHERE status = 'applied' AND created_at >= ? AND created_at < ?",
      [fromMs, toMs],
    );
    const repaidByLoan = new Map<string, bigint>();
    for (const r of repaid) {
      const a = JSON.parse(r.applied) as Record<keyof Owed, string>;
      const paid = Object.values(a).reduce((sum, v) => sum + BigInt(v), 0n);
      repaidByLoan.set(r.loan_id, (repaidByLoan.get(r.loan_id) ?? 0n) + paid);
    }
    for (const loan of loans) {
      const b = loan.merchantId ? borrower('merchant', loan.merchantId) : borrower('person', loan.userId);
      const s = loan.state;
      b.products.add('loan');
      if (loan.disbursedAt >= fromMs) b.disbursed += loan.principal;
      b.repaid += repaidByLoan.get(loan.loanId) ?? 0n;
      b.outstanding += s.outstandingPrincipal;
      b.writtenOff += loan.writtenOffPrincipal;
      if (!isLive(s.status)) continue;
      b.overdue += s.overduePrincipal + s.overdueInterest + s.penaltyInterest;
      b.daysPastDue = Math.max(b.daysPastDue, s.daysPastDue);
    }
  }

  private async addPayLater(borrower: (type: Borrower['type'], id: string) => Borrower, month: string, fromMs: number, toMs: number): Promise<void> {
    const purchases = await this.db.all<{ user_id: string; amount: bigint; created_at: bigint; month: string }>(
      'SELECT user_id, amount, created_at, month FROM paylater_purchases WHERE created_at < ?',
      [toMs],
    );
    for (const p of purchases) {
      const b = borrower('person', p.user_id);
      b.products.add('paylater');
      if (Number(p.created_at) >= fromMs) b.disbursed += BigInt(p.amount);
      // A marketplace purchase not billed yet is owed all the same.
      if (p.month === '') b.outstanding += BigInt(p.amount);
    }
    const repaid = await this.db.all<{ user_id: string; amount: bigint }>(
      "SELECT user_id, amount FROM paylater_repayments WHERE status = 'applied' AND created_at >= ? AND created_at < ?",
      [fromMs, toMs],
    );
    for (const r of repaid) borrower('person', r.user_id).repaid += BigInt(r.amount);
    // Statements as they stand: what is owed on each, and how late on the month's last day.
    const lastDay = addDays(addMonths(`${month}-01`, 1), -1);
    const statements = (await this.db.all<StatementRow>('SELECT * FROM paylater_statements')).map(statementFromRow);
    const users = new Set(purchases.map((p) => p.user_id));
    for (const s of statements.filter((st) => users.has(st.userId))) {
      const b = borrower('person', s.userId);
      const owed = owedOn(s);
      b.outstanding += owed.principal;
      const late = s.month <= month ? daysOverdue(s, lastDay) : 0;
      if (late > 0) {
        b.overdue += owed.principal + owed.charges;
        b.daysPastDue = Math.max(b.daysPastDue, late);
      }
    }
  }
}
