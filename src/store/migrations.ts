// Schema migrations, named and checksummed, for the ledger's tables and each module's. A scope (the
// ledger, `wallet`, `cards`, ...) lists its migrations in order, per dialect. Each is identified by
// its number (its position, from 0001): a plain string is named by its number alone, a named one
// says `0003_add_fund_sweeps`. An applied migration is recorded with its name, the SHA-256 of its
// text and when it was applied; one whose text has changed since, or one the database has that
// this version does not declare, refuses the start. The drivers (sqlite-store.ts, postgres-store.ts)
// run the plan below inside one locked transaction, so processes that start together apply once.
import { createHash } from 'node:crypto';

/** A migration as a schema file writes it: its SQL (named by position), or a name and its SQL. */
export type MigrationSource = string | { readonly name: string; readonly sql: string };

export interface SqlMigrations {
  readonly sqlite: readonly MigrationSource[];
  readonly postgres: readonly MigrationSource[];
}

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** A row of `applied_migrations`. */
export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
}

export interface MigrationPlan {
  /** Applied before migrations had names (`schema_migrations`): recorded as they are declared now, not run. */
  readonly adopt: readonly Migration[];
  /** Applied under another name (a plain migration given one): the record takes the new name. */
  readonly rename: readonly Migration[];
  /** Not applied yet, in order. */
  readonly apply: readonly Migration[];
}

export class MigrationError extends Error {}

const NAME = /^(\d{4})(_[a-z0-9_]+)?$/;

/** The scope's migrations with their numbers, names and checksums; a name must start with its number. */
export function declaredMigrations(scope: string, sources: readonly MigrationSource[]): Migration[] {
  return sources.map((source, index) => {
    const version = index + 1;
    const number = String(version).padStart(4, '0');
    const { name, sql } = typeof source === 'string' ? { name: number, sql: source } : source;
    const match = NAME.exec(name);
    if (!match || match[1] !== number)
      throw new MigrationError(`migration ${scope}/${name} is number ${number}: name it ${number} or ${number}_<what_it_does>`);
    return { version, name, sql, checksum: checksum(sql) };
  });
}

export function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * What to do with a scope: `applied` is what `applied_migrations` holds, `legacy` the versions the
 * old index-numbered table holds. Throws, naming the migration, when an applied one was edited or
 * the database has one this version does not know (a newer version ran on it).
 */
export function planMigrations(
  scope: string,
  declared: readonly Migration[],
  applied: readonly AppliedMigration[],
  legacy: ReadonlySet<number>,
): MigrationPlan {
  const byVersion = new Map(applied.map((a) => [a.version, a]));
  const unknown = [...new Set([...byVersion.keys(), ...legacy])].filter((v) => v > declared.length).sort((a, b) => a - b);
  if (unknown.length > 0) {
    const names = unknown.map((v) => `${scope}/${byVersion.get(v)?.name ?? String(v).padStart(4, '0')}`).join(', ');
    throw new MigrationError(`the database has migrations this version of Formica does not know (${names}); run the version that applied them`);
  }
  const plan = { adopt: [] as Migration[], rename: [] as Migration[], apply: [] as Migration[] };
  for (const migration of declared) {
    const record = byVersion.get(migration.version);
    if (!record) (legacy.has(migration.version) ? plan.adopt : plan.apply).push(migration);
    else if (record.checksum !== migration.checksum) throw edited(scope, record, migration);
    else if (record.name !== migration.name) plan.rename.push(migration);
  }
  return plan;
}

function edited(scope: string, record: AppliedMigration, migration: Migration): MigrationError {
  return new MigrationError(
    `migration ${scope}/${record.name} was applied with checksum ${record.checksum.slice(0, 12)} but its text is now ${migration.checksum.slice(0, 12)}: ` +
      'an applied migration must never change; restore its text and add a new migration for the change',
  );
}

/** The table of applied migrations (the same text on both dialects). */
export const APPLIED_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS applied_migrations (
  scope TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at BIGINT NOT NULL,
  PRIMARY KEY (scope, version))`;
export const SELECT_APPLIED = 'SELECT version, name, checksum FROM applied_migrations WHERE scope = ?';
export const INSERT_APPLIED = 'INSERT INTO applied_migrations (scope, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)';
export const RENAME_APPLIED = 'UPDATE applied_migrations SET name = ? WHERE scope = ? AND version = ?';
/** The table of the runner before names: one row per (scope, version). Its rows are adopted, then removed. */
export const LEGACY_TABLE = 'schema_migrations';
export const SELECT_LEGACY = `SELECT version FROM ${LEGACY_TABLE} WHERE scope = ?`;
export const DELETE_LEGACY = `DELETE FROM ${LEGACY_TABLE} WHERE scope = ?`;
