// The modules' SQL seam over one better-sqlite3 connection: statements are prepared once and
// run synchronously; the async face is the seam's, shared with PostgreSQL.
import type Database from 'better-sqlite3';
import type { SqlExecutor, SqlParam, SqlRow } from '../sql.ts';

/** A statement for each SQL text, prepared on first use and kept. */
export function preparedOnce(db: Database.Database): (sql: string) => Database.Statement {
  const prepared = new Map<string, Database.Statement>();
  return (sql) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };
}

export function sqliteExecutor(db: Database.Database): SqlExecutor {
  const statement = preparedOnce(db);
  return {
    dialect: 'sqlite',
    all: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).all(...params) as T[],
    get: async <T extends SqlRow>(sql: string, params: readonly SqlParam[] = []) => statement(sql).get(...params) as T | undefined,
    run: async (sql: string, params: readonly SqlParam[] = []) => ({ changes: Number(statement(sql).run(...params).changes) }),
  };
}

let savepoints = 0;

/** Runs `fn` inside a savepoint of the open transaction: a throw undoes `fn`'s writes only. */
export async function savepoint<T>(db: Database.Database, fn: () => Promise<T>): Promise<T> {
  const name = `step_${++savepoints}`;
  db.exec(`SAVEPOINT ${name}`);
  try {
    const value = await fn();
    db.exec(`RELEASE ${name}`);
    return value;
  } catch (error) {
    db.exec(`ROLLBACK TO ${name}`);
    db.exec(`RELEASE ${name}`);
    throw error;
  }
}
