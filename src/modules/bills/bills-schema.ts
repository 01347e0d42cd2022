// The bills module's own tables. A payment is keyed by the payer's request id; its money is a
// pending ledger transfer (the hold) from the wallet until the biller's answer posts or voids it.
const TABLES = [
  `CREATE TABLE bill_payments (
     payment_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, request_id TEXT NOT NULL,
     charge_inst TEXT NOT NULL, bill_key TEXT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL,
     funding TEXT NOT NULL, autopay_id TEXT NOT NULL DEFAULT '',
     status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '',
     hold_transfer_id TEXT NOT NULL, card_refund TEXT NOT NULL DEFAULT '',
     next_query_at BIGINT NOT NULL, queries BIGINT NOT NULL DEFAULT 0,
     created_at BIGINT NOT NULL, confirmed_at BIGINT, finished_at BIGINT,
     UNIQUE (user_id, request_id))`,
  'CREATE INDEX bill_payments_pending ON bill_payments (status, next_query_at)',
  'CREATE INDEX bill_payments_biller ON bill_payments (charge_inst, confirmed_at)',
  `CREATE TABLE bill_autopays (
     autopay_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, request_id TEXT NOT NULL,
     charge_inst TEXT NOT NULL, bill_key TEXT NOT NULL, cap_minor BIGINT NOT NULL, day_of_month BIGINT NOT NULL,
     status TEXT NOT NULL, next_run_at BIGINT NOT NULL, created_at BIGINT NOT NULL,
     UNIQUE (user_id, request_id))`,
  'CREATE INDEX bill_autopays_due ON bill_autopays (status, next_run_at)',
  `CREATE TABLE bill_notices (
     autopay_id TEXT NOT NULL, month TEXT NOT NULL, user_id TEXT NOT NULL, kind TEXT NOT NULL,
     due_minor BIGINT NOT NULL, cap_minor BIGINT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (autopay_id, month))`,
].join(';\n');

// Version 2: each biller's daily settlement: the day's collections, Formica's fee, what was paid out.
const SETTLEMENTS = `CREATE TABLE biller_settlements (
     charge_inst TEXT NOT NULL, date TEXT NOT NULL, payments BIGINT NOT NULL,
     gross_minor BIGINT NOT NULL, fee_minor BIGINT NOT NULL, net_minor BIGINT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (charge_inst, date))`;

export const BILLS_MIGRATIONS = { sqlite: [TABLES, SETTLEMENTS], postgres: [TABLES, SETTLEMENTS] };
