// The credit module's own tables: decisions (model version and inputs, so each is reproducible),
// loans (their schedule and running balances in fen), and repayments keyed by request id.
const TABLES = [
  `CREATE TABLE credit_decisions (
     decision_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, model_version TEXT NOT NULL, inputs TEXT NOT NULL,
     score INTEGER NOT NULL, band TEXT NOT NULL, outcome TEXT NOT NULL, reasons TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  'CREATE INDEX credit_decisions_user ON credit_decisions (user_id, created_at)',
  `CREATE TABLE credit_loans (
     loan_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, request_id TEXT NOT NULL, decision_id TEXT NOT NULL,
     product TEXT NOT NULL, method TEXT NOT NULL, term INTEGER NOT NULL, currency TEXT NOT NULL,
     principal BIGINT NOT NULL, start_date TEXT NOT NULL, schedule TEXT NOT NULL, status TEXT NOT NULL,
     outstanding_principal BIGINT NOT NULL, overdue_principal BIGINT NOT NULL, accrued_interest BIGINT NOT NULL,
     overdue_interest BIGINT NOT NULL, penalty_interest BIGINT NOT NULL, interest_carry BIGINT NOT NULL,
     penalty_carry BIGINT NOT NULL, oldest_unpaid_due TEXT NOT NULL, days_past_due INTEGER NOT NULL,
     ever_late INTEGER NOT NULL, provision BIGINT NOT NULL, repaid_principal BIGINT NOT NULL,
     written_off_principal BIGINT NOT NULL, serviced_through TEXT NOT NULL, disbursed_at BIGINT NOT NULL,
     UNIQUE (user_id, request_id))`,
  'CREATE INDEX credit_loans_live ON credit_loans (status, serviced_through)',
  'CREATE INDEX credit_loans_user ON credit_loans (user_id, status)',
  `CREATE TABLE credit_repayments (
     loan_id TEXT NOT NULL, request_id TEXT NOT NULL, amount BIGINT NOT NULL, applied TEXT NOT NULL,
     status TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (loan_id, request_id))`,
].join(';\n');

// Version 2: pay later. Purchases under the buyer's request id, and one statement per buyer and month
// with what it billed, what was paid, the interest and fee booked on it and an instalment plan if any.
const PAYLATER = [
  `CREATE TABLE paylater_purchases (
     user_id TEXT NOT NULL, request_id TEXT NOT NULL, trade_no TEXT NOT NULL, amount BIGINT NOT NULL,
     month TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (user_id, request_id))`,
  `CREATE TABLE paylater_statements (
     user_id TEXT NOT NULL, month TEXT NOT NULL, total BIGINT NOT NULL, paid_principal BIGINT NOT NULL,
     paid_charges BIGINT NOT NULL, interest BIGINT NOT NULL, interest_carry BIGINT NOT NULL, fee BIGINT NOT NULL,
     plan TEXT NOT NULL, serviced_through TEXT NOT NULL, PRIMARY KEY (user_id, month))`,
  'CREATE INDEX paylater_statements_month ON paylater_statements (month, serviced_through)',
  `CREATE TABLE paylater_repayments (
     user_id TEXT NOT NULL, month TEXT NOT NULL, request_id TEXT NOT NULL, amount BIGINT NOT NULL, status TEXT NOT NULL,
     created_at BIGINT NOT NULL, PRIMARY KEY (user_id, month, request_id))`,
].join(';\n');

// Version 3: a merchant's loans: borrowed by its owner against the merchant's own line ('' for a person).
const MERCHANT_LOANS = [
  "ALTER TABLE credit_loans ADD COLUMN merchant_id TEXT NOT NULL DEFAULT ''",
  'CREATE INDEX credit_loans_merchant ON credit_loans (merchant_id, status)',
  "ALTER TABLE credit_decisions ADD COLUMN merchant_id TEXT NOT NULL DEFAULT ''",
].join(';\n');

// Version 4: the merchant's consent to repay a loan from a share of each day's settlements (in basis
// points, 0 for none) and the last day swept; the early-repayment fee a repayment paid; the portfolio's
// figures by day (for the operator's charts); each closed month's credit-bureau report, kept as issued.
// A pay-later purchase waiting for the buyer to confirm receipt has the month '' until it is billed.
const SALES_SHARE_AND_REPORTS = [
  'ALTER TABLE credit_loans ADD COLUMN sales_share_bps INTEGER NOT NULL DEFAULT 0',
  "ALTER TABLE credit_loans ADD COLUMN sales_swept_through TEXT NOT NULL DEFAULT ''",
  'ALTER TABLE credit_repayments ADD COLUMN fee BIGINT NOT NULL DEFAULT 0',
  'CREATE TABLE credit_portfolio_days (day TEXT PRIMARY KEY, figures TEXT NOT NULL)',
  'CREATE TABLE credit_bureau_reports (month TEXT PRIMARY KEY, csv TEXT NOT NULL, created_at BIGINT NOT NULL)',
  'CREATE INDEX paylater_purchases_month ON paylater_purchases (month, user_id)',
].join(';\n');

// Version 5: each refund of a trade paid with pay later, under its request id, and what it paid down
// on the line (the purchase's amount and its statement's total are lowered by the same).
const PAYLATER_REFUNDS = `CREATE TABLE paylater_refunds (
  user_id TEXT NOT NULL, trade_no TEXT NOT NULL, out_request_no TEXT NOT NULL, refund BIGINT NOT NULL, paid_down BIGINT NOT NULL,
  month TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (user_id, trade_no, out_request_no))`;

// Version 6: the servicing run's catch-up of missed refunds walks the purchases by creation, in batches.
const PURCHASES_BY_CREATION = 'CREATE INDEX paylater_purchases_created ON paylater_purchases (created_at, user_id, request_id)';

const MIGRATIONS = [
  TABLES,
  PAYLATER,
  MERCHANT_LOANS,
  SALES_SHARE_AND_REPORTS,
  { name: '0005_paylater_refunds', sql: PAYLATER_REFUNDS },
  { name: '0006_paylater_purchases_by_creation', sql: PURCHASES_BY_CREATION },
];
export const CREDIT_MIGRATIONS = { sqlite: MIGRATIONS, postgres: MIGRATIONS };
