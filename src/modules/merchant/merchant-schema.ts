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

// One statement per migration step keeps both drivers happy (pg runs one, SQLite exec runs all).
export const MERCHANT_MIGRATIONS = { sqlite: [TABLES.join(';\n')], postgres: [TABLES.join(';\n')] };
