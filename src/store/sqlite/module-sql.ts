// Modules' SQL on the embedded store. Reads go to the reader connection, so they never queue
// behind a write; every write runs inside a write group on the store's one writer connection.
// In the running platform the writer is the engine, which puts each write into its next group
// with the ledger batch and the steps of other callers: one commit, one fsync for all of them.
import type { SqlDatabase, SqlExecutor, SqlMigrations } from '../sql.ts';
import { SqliteStore } from './sqlite-store.ts';

/** Where the embedded store's module writes go. */
export interface EmbeddedWriter {
  /** Runs `fn` in a write group (inside a savepoint of it: a throw undoes `fn` alone). */
  write<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}

export function embeddedSql(store: SqliteStore, writer: EmbeddedWriter, onClose: () => Promise<void> = async () => {}): SqlDatabase {
  const reader = store.readerSql;
  let closed = false;
  return {
    dialect: 'sqlite',
    all: (sql, params) => reader.all(sql, params),
    get: (sql, params) => reader.get(sql, params),
    run: (sql, params) => writer.write((tx) => tx.run(sql, params)),
    transaction: (fn) => writer.write(fn),
    migrate: (scope: string, migrations: SqlMigrations) => store.migrateModule(scope, migrations.sqlite),
    async close() {
      if (closed) return;
      closed = true;
      await onClose();
    },
  };
}

/** A store of its own, each write its own group (tools and tests that run without the engine). */
export function openModuleSql(file: string): SqlDatabase {
  const store = SqliteStore.open({ file });
  const writer: EmbeddedWriter = { write: (fn) => store.writeGroup((group) => group.isolated(() => fn(group.sql))) };
  return embeddedSql(store, writer, () => store.close());
}
