// The reconciliation module's tables: one run per counterparty (bank or biller) and statement date,
// and one item per statement line or unmatched Formica operation. Integers are BIGINT so both dialects return bigint.
const TABLES = [
  `CREATE TABLE reconciliation_runs (
     bank TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL, statement_lines BIGINT NOT NULL,
     note TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (bank, date))`,
  `CREATE TABLE reconciliation_items (
     bank TEXT NOT NULL, date TEXT NOT NULL, line_key TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
     op_id TEXT NOT NULL, line_type TEXT NOT NULL, bank_amount_minor BIGINT, formica_amount_minor BIGINT,
     suspense_minor BIGINT NOT NULL, transfer_id TEXT NOT NULL DEFAULT '', alert BIGINT NOT NULL,
     note TEXT NOT NULL DEFAULT '', resolution TEXT NOT NULL DEFAULT '', resolution_transfer_id TEXT NOT NULL DEFAULT '',
     created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
     PRIMARY KEY (bank, date, line_key))`,
  'CREATE INDEX reconciliation_items_op ON reconciliation_items (bank, op_id)',
  'CREATE INDEX reconciliation_items_state ON reconciliation_items (bank, state, date)',
];

// Version 2: billers' settlement files are reconciled too; a run says what it reconciled.
const COUNTERPARTY_KIND = "ALTER TABLE reconciliation_runs ADD COLUMN counterparty_kind TEXT NOT NULL DEFAULT 'bank'";

export const RECONCILIATION_MIGRATIONS = { sqlite: [TABLES.join(';\n'), COUNTERPARTY_KIND], postgres: [TABLES.join(';\n'), COUNTERPARTY_KIND] };
