// The platform audit log's tables. `audit_head` is one row: the last entry's number and hash.
// Appenders read and move it in their own transaction (PostgreSQL locks it), so the chain never forks.
export const GENESIS_HASH = '0'.repeat(64);

const TABLES = [
  `CREATE TABLE audit_log (
     seq BIGINT PRIMARY KEY, kind TEXT NOT NULL, actor TEXT NOT NULL, subject TEXT NOT NULL,
     detail TEXT NOT NULL, created_at BIGINT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL)`,
  'CREATE TABLE audit_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL)',
  `INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`,
].join(';\n');

// Version 2: the last entry of a kind is found without a scan (the data keys noted at each start).
const BY_KIND = 'CREATE INDEX audit_log_kind ON audit_log (kind, seq)';

export const AUDIT_MIGRATIONS = { sqlite: [TABLES, BY_KIND], postgres: [TABLES, BY_KIND] };
