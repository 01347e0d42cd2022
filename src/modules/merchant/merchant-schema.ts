// The merchant module's own tables: merchants with their app and current public key, and the
// version 3 nonces already seen, shared by every API process that uses the same database.
const TABLES = [
  `CREATE TABLE merchants (
     merchant_id TEXT PRIMARY KEY, app_id TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
     public_key TEXT NOT NULL, fee_bps BIGINT NOT NULL, notify_url TEXT,
     settlement_account_id TEXT NOT NULL, status TEXT NOT NULL,
     created_at BIGINT NOT NULL, key_rotated_at BIGINT NOT NULL)`,
  `CREATE TABLE merchant_nonces (
     app_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (app_id, nonce))`,
  'CREATE INDEX merchant_nonces_expiry ON merchant_nonces (expires_at)',
];

// Version 2: the people behind a merchant (owner and staff with a role each), self-service
// applications an operator decides, the account withdrawals are paid to, and the audit trail.
const PEOPLE = [
  `CREATE TABLE merchant_staff (
     merchant_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, added_by TEXT NOT NULL, added_at BIGINT NOT NULL,
     PRIMARY KEY (merchant_id, user_id))`,
  'CREATE INDEX merchant_staff_user ON merchant_staff (user_id)',
  `CREATE TABLE merchant_applications (
     application_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL, credit_code TEXT NOT NULL,
     contact_name TEXT NOT NULL, public_key TEXT NOT NULL, notify_url TEXT, status TEXT NOT NULL, check_result TEXT NOT NULL,
     merchant_id TEXT, note TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, decided_at BIGINT)`,
  'CREATE INDEX merchant_applications_status ON merchant_applications (status, created_at)',
  `CREATE TABLE merchant_payout_accounts (
     merchant_id TEXT PRIMARY KEY, user_id TEXT NOT NULL, card_id TEXT NOT NULL, set_at BIGINT NOT NULL)`,
  `CREATE TABLE merchant_events (
     id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, actor TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  'CREATE INDEX merchant_events_merchant ON merchant_events (merchant_id, created_at)',
].join(';\n');

// One statement per migration step keeps both drivers happy (pg runs one, SQLite exec runs all).
export const MERCHANT_MIGRATIONS = { sqlite: [TABLES.join(';\n'), PEOPLE], postgres: [TABLES.join(';\n'), PEOPLE] };
