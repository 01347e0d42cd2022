// The fund module's own tables. Balances live on the ledger; these hold what the ledger cannot:
// requests and their state, the published income, each holder's earning shares and carried
// fraction, and the dated share movements that decide which shares earn on which day.
const TABLES = [
  `CREATE TABLE fund_funds (
     fund_id TEXT PRIMARY KEY, name TEXT NOT NULL, manager TEXT NOT NULL, custodian TEXT NOT NULL,
     risk_level INTEGER NOT NULL, daily_cap_minor BIGINT, carry_e8 BIGINT NOT NULL DEFAULT 0,
     last_accrued_date TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL)`,
  'CREATE TABLE fund_holidays (date TEXT PRIMARY KEY)',
  `CREATE TABLE fund_risk_profiles (
     user_id TEXT PRIMARY KEY, tolerance INTEGER NOT NULL, answers TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE fund_subscriptions (
     user_id TEXT NOT NULL, request_id TEXT NOT NULL, subscription_id TEXT NOT NULL UNIQUE, fund_id TEXT NOT NULL,
     amount_minor BIGINT NOT NULL, day_key TEXT NOT NULL, confirm_date TEXT NOT NULL, status TEXT NOT NULL,
     reason TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, PRIMARY KEY (user_id, request_id))`,
  'CREATE INDEX fund_subscriptions_due ON fund_subscriptions (status, confirm_date)',
  'CREATE INDEX fund_subscriptions_day ON fund_subscriptions (user_id, fund_id, day_key)',
  `CREATE TABLE fund_redemptions (
     user_id TEXT NOT NULL, request_id TEXT NOT NULL, redemption_id TEXT NOT NULL UNIQUE, fund_id TEXT NOT NULL,
     shares_minor BIGINT NOT NULL, mode TEXT NOT NULL, day_key TEXT NOT NULL, arrives_on TEXT NOT NULL,
     status TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, PRIMARY KEY (user_id, request_id))`,
  'CREATE INDEX fund_redemptions_due ON fund_redemptions (status, arrives_on)',
  'CREATE INDEX fund_redemptions_day ON fund_redemptions (user_id, fund_id, day_key)',
  `CREATE TABLE fund_holdings (
     fund_id TEXT NOT NULL, user_id TEXT NOT NULL, earning_minor BIGINT NOT NULL DEFAULT 0,
     carry_e8 BIGINT NOT NULL DEFAULT 0, total_income_minor BIGINT NOT NULL DEFAULT 0,
     last_income_minor BIGINT NOT NULL DEFAULT 0, last_income_date TEXT NOT NULL DEFAULT '',
     PRIMARY KEY (fund_id, user_id))`,
  `CREATE TABLE fund_moves (
     ref TEXT PRIMARY KEY, fund_id TEXT NOT NULL, user_id TEXT NOT NULL, effective_date TEXT NOT NULL,
     delta_minor BIGINT NOT NULL, folded INTEGER NOT NULL DEFAULT 0)`,
  'CREATE INDEX fund_moves_unfolded ON fund_moves (fund_id, folded, effective_date)',
  `CREATE TABLE fund_incomes (
     fund_id TEXT NOT NULL, date TEXT NOT NULL, r_e4 BIGINT NOT NULL, status TEXT NOT NULL, published_at BIGINT NOT NULL,
     total_shares_minor BIGINT NOT NULL DEFAULT 0, declared_minor BIGINT NOT NULL DEFAULT 0, holders BIGINT NOT NULL DEFAULT 0,
     paid_minor BIGINT NOT NULL DEFAULT 0, cursor TEXT NOT NULL DEFAULT '', PRIMARY KEY (fund_id, date))`,
  'CREATE INDEX fund_incomes_open ON fund_incomes (status, date)',
].join(';\n');

/** How many holders an accrual has paid so far, for its progress. */
const PAID_HOLDERS = 'ALTER TABLE fund_incomes ADD COLUMN paid_holders BIGINT NOT NULL DEFAULT 0';

/** A normal redemption paid out to a bound card: the card, and the card withdrawal that carried it. */
const TO_CARD = [
  "ALTER TABLE fund_redemptions ADD COLUMN card_id TEXT NOT NULL DEFAULT ''",
  "ALTER TABLE fund_redemptions ADD COLUMN payout_op_id TEXT NOT NULL DEFAULT ''",
].join(';\n');

/** The automatic sweep of the idle balance above a floor, one setting per user. */
const SWEEPS = `CREATE TABLE fund_sweeps (
  user_id TEXT PRIMARY KEY, fund_id TEXT NOT NULL, floor_minor BIGINT NOT NULL, enabled INTEGER NOT NULL,
  last_swept_date TEXT NOT NULL DEFAULT '', last_result TEXT NOT NULL DEFAULT '', updated_at BIGINT NOT NULL)`;

/** A user's redemptions, newest first, for the wallet's list. */
const USER_REDEMPTIONS = {
  name: '0005_redemptions_by_user',
  sql: 'CREATE INDEX fund_redemptions_by_user ON fund_redemptions (user_id, created_at)',
};

const MIGRATIONS = [TABLES, PAID_HOLDERS, TO_CARD, SWEEPS, USER_REDEMPTIONS];
export const FUND_MIGRATIONS = { sqlite: MIGRATIONS, postgres: MIGRATIONS };
