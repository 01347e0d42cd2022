// What the credit routes answer (spec/credit.md "Routes", and the lists in credit-views.ts). Amounts
// are decimal strings, dates 'YYYY-MM-DD' in Asia/Shanghai.
export type Band = 'none' | 'small' | 'standard' | 'best';

export interface Score {
  score: number;
  band: Band;
  model_version: string;
  factors: { name: string; effect: number; explanation: string; explanation_zh: string }[];
}

export interface Line {
  limit: string;
  used: string;
  available: string;
  daily_rate: string;
}

export interface Instalment {
  due_date: string;
  principal: string;
  interest: string;
}

export interface Quote {
  schedule: Instalment[];
  total_interest: string;
}

export type LoanStatus = 'active' | 'overdue' | 'repaid' | 'written_off';

export interface LoanSummary {
  loan_id: string;
  status: LoanStatus;
  product: 'short' | 'instalment';
  repayment: 'single' | 'equal_principal' | 'annuity';
  principal: string;
  start_date: string;
  outstanding_principal: string;
  accrued_interest: string;
  penalty_interest: string;
  owed: string;
  days_past_due: number;
  schedule: Instalment[];
  /** A merchant loan: the whole percent of each day's settlements that repays it (0: none). */
  sales_share_percent: number;
}

export interface PayLaterLine {
  limit: string;
  available: string;
  status: 'active' | 'suspended';
}

export interface PlanInstalment {
  due_date: string;
  principal: string;
  fee: string;
}

export type StatementStatus = 'pending' | 'issued' | 'paid' | 'revolving' | 'instalments' | 'overdue';

export interface Statement {
  month: string;
  statement_date: string;
  due_date: string;
  total: string;
  minimum: string;
  minimum_left: string;
  paid: string;
  status: StatementStatus;
  interest: string;
  fee: string;
  outstanding: string;
  instalments: PlanInstalment[];
}

export interface InstalmentQuote {
  months: number;
  fee: string;
  instalments: PlanInstalment[];
}

export type Bucket = 'current' | '1-30' | '31-60' | '61-90' | '90+';
export const BUCKETS: readonly Bucket[] = ['current', '1-30', '31-60', '61-90', '90+'];

export interface Portfolio {
  outstanding: string;
  disbursed: string;
  repaid: string;
  npl_ratio: string;
  buckets: Record<Bucket, string>;
  provisions: string;
  written_off: string;
  provisions_by_bucket: Record<Bucket, string>;
  paylater: { outstanding: string; overdue: string };
  /** One entry a day the servicing ran, oldest first. */
  history: { date: string; outstanding: string; npl_ratio: string; provisions: string; written_off: string; buckets: Record<Bucket, string> }[];
}
