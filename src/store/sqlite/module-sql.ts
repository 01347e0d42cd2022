// Modules' SQL on the embedded store: a second connection to the ledger's file, with group commit.
// Every unit of work (a transaction, or a single statement) queued while the connection is busy
// runs in the next shared transaction, each inside a SAVEPOINT of its own, and the group commits
// once: one fsync for many callers instead of one each. A unit that throws is rolled back to its
// savepoint alone. No caller sees its result before the group's COMMIT is durable.
import type Database from 'better-sqlite3';
import type { SqlDatabase, SqlExecutor, SqlMigrations, SqlParam, SqlRow } from '../sql.ts';
import { migrate, openSqliteDatabase } from './sqlite-store.ts';

interface Unit {
  run(exec: SqlExecutor): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Enough to share the fsync widely, small enough that one group never holds the lock for long. */
const MAX_UNITS_PER_GROUP = 512;

function executor(db: Database.Database): SqlExecutor {
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
  return {
    dialect: 'sqlite',
    all: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).all(...params) as T[],
    get: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: Number(statement(sql).run(...params).changes) }),
  };
}

export function openModuleSql(file: string): SqlDatabase {
  const db = openSqliteDatabase(file);
  const exec = executor(db);
  const queue: Unit[] = [];
  let running = false;

  const runGroup = async (units: Unit[]): Promise<void> => {
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const unit of units) {
        db.exec('SAVEPOINT unit');
        try {
          outcomes.push({ ok: true, value: await unit.run(exec) });
          db.exec('RELEASE unit');
        } catch (error) {
          db.exec('ROLLBACK TO unit');
          db.exec('RELEASE unit');
          outcomes.push({ ok: false, error });
        }
      }
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      for (const unit of units) unit.reject(error);
      return;
    }
    units.forEach((unit, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  };

  const drain = async (): Promise<void> => {
    running = true;
    while (queue.length > 0) await runGroup(queue.splice(0, MAX_UNITS_PER_GROUP));
    running = false;
  };

  const submit = <T>(run: (tx: SqlExecutor) => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!running) void drain();
    });

  return {
    dialect: 'sqlite',
    all: (sql, params) => submit((tx) => tx.all(sql, params)),
    get: (sql, params) => submit((tx) => tx.get(sql, params)),
    run: (sql, params) => submit((tx) => tx.run(sql, params)),
    transaction: (fn) => submit(fn),
    // better-sqlite3 runs a transaction opened inside another as a savepoint, so migrations join the group too.
    migrate: (scope: string, migrations: SqlMigrations) => submit(async () => migrate(db, scope, migrations.sqlite)),
    async close() {
      await submit(async () => undefined);
      if (db.open) db.close();
    },
  };
}
