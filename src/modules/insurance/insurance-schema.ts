// The insurance module's tables: one policy per trade (its premium, its payout, its one claim),
// and the daily loss-ratio reports already alerted on.
const TABLES = [
  `CREATE TABLE insurance_policies (
     policy_id TEXT PRIMARY KEY, trade_no TEXT NOT NULL UNIQUE, buyer_user_id TEXT NOT NULL, merchant_id TEXT NOT NULL,
     premium_minor BIGINT NOT NULL, payout_minor BIGINT NOT NULL, premium_transfer_id TEXT NOT NULL,
     status TEXT NOT NULL, created_at BIGINT NOT NULL,
     claim_minor BIGINT NOT NULL DEFAULT 0, claim_month TEXT NOT NULL DEFAULT '', claim_transfer_id TEXT NOT NULL DEFAULT '', claimed_at BIGINT)`,
  'CREATE INDEX insurance_policies_buyer ON insurance_policies (buyer_user_id, created_at)',
  'CREATE INDEX insurance_policies_status ON insurance_policies (status, created_at)',
  'CREATE INDEX insurance_policies_claims ON insurance_policies (buyer_user_id, claim_month)',
  `CREATE TABLE insurance_reports (
     date TEXT PRIMARY KEY, premiums_minor BIGINT NOT NULL, claims_minor BIGINT NOT NULL, alerted BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
].join(';\n');

export const INSURANCE_MIGRATIONS = { sqlite: [TABLES], postgres: [TABLES] };
