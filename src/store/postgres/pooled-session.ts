// What Formica needs of every connection, checked once when a store opens, before its first
// migration (decision 35). Two things hold for the whole life of a connection and a pooler in
// between (pgbouncer) can break either:
// - One server session per connection. The hot statements are named prepared statements
//   (`formica_lock_ledger`, ...), prepared once per connection. A pooler in transaction or
//   statement mode hands a connection's transactions to other server sessions, where the name is
//   unknown or already taken: refused, naming session pooling.
// - The startup options (`-c synchronous_commit=on`, `-c search_path=<schema>`). pgbouncer refuses
//   them unless told to ignore them, and then drops them: a session committing without waiting
//   for the WAL flush, or writing into another schema, is refused, naming the setting.
import pg from 'pg';

/** Commit levels that wait at least for the local WAL flush (and the synchronous standby's). */
const DURABLE_COMMITS = new Set(['on', 'remote_apply']);

export class PooledSessionError extends Error {}

interface SessionFacts {
  pid: number;
  synchronous_commit: string;
  search_path: string;
}

const FACTS_SQL = "SELECT pg_backend_pid() AS pid, current_setting('synchronous_commit') AS synchronous_commit, current_setting('search_path') AS search_path";
const PID_SQL = 'SELECT pg_backend_pid() AS pid';

/**
 * Refuses connections that do not keep one server session or lost the startup options. Two
 * connections of `config`: the second holds a transaction open while the first asks again for
 * its server process. Behind session pooling (or none) each keeps its own server process; behind
 * transaction pooling the second takes the first's idle server session (pgbouncer reuses the last
 * released one first), or the first is moved to another while the second holds it.
 */
export async function checkPooledSession(config: pg.ClientConfig, schema: string | undefined): Promise<void> {
  const first = new pg.Client(config);
  const second = new pg.Client(config);
  // A pooler that drops a connection must not crash the process; the failed query reports it.
  first.on('error', () => {});
  second.on('error', () => {});
  try {
    await first.connect();
    await second.connect();
    const facts = (await first.query<SessionFacts>(FACTS_SQL)).rows[0];
    checkSettings(facts, schema);
    const pids = [facts.pid];
    await second.query('BEGIN').catch(refuseStatementPooling);
    pids.push((await second.query<{ pid: number }>(PID_SQL).catch(refuseStatementPooling)).rows[0].pid);
    if (pids[1] !== pids[0]) pids.push((await first.query<{ pid: number }>(PID_SQL)).rows[0].pid);
    await second.query('ROLLBACK');
    if (pids[1] === pids[0] || (pids[2] !== undefined && pids[2] !== pids[0])) throw transactionPooling(pids);
  } finally {
    await Promise.allSettled([first.end(), second.end()]);
  }
}

function checkSettings(facts: SessionFacts, schema: string | undefined): void {
  if (!DURABLE_COMMITS.has(facts.synchronous_commit)) {
    throw new PooledSessionError(
      `PostgreSQL sessions commit with synchronous_commit = ${facts.synchronous_commit}, not on: ` +
        'the connection option -c synchronous_commit=on was not applied (a pooler ignoring the startup parameter "options"?). ' +
        "Set it on the server for Formica's role: ALTER ROLE <role> SET synchronous_commit = on",
    );
  }
  if (schema !== undefined && facts.search_path !== schema) {
    throw new PooledSessionError(
      `PostgreSQL sessions use search_path '${facts.search_path}', not the schema '${schema}' Formica asked for: ` +
        'the connection option -c search_path was not applied (a pooler ignoring the startup parameter "options"?). ' +
        `Set it on the server for Formica's role (ALTER ROLE <role> SET search_path = ${schema}) or connect without the pooler`,
    );
  }
}

function transactionPooling(pids: readonly number[]): PooledSessionError {
  const seen = pids[1] === pids[0] ? `two connections shared server process ${pids[0]}` : `one connection moved from server process ${pids[0]} to ${pids[2]}`;
  return new PooledSessionError(
    `PostgreSQL connections pooled per transaction (${seen}). ` +
      'Formica prepares named statements once per connection and needs each connection to keep one server session: ' +
      'use session pooling (pgbouncer: pool_mode = session), or connect to PostgreSQL directly',
  );
}

function refuseStatementPooling(error: Error): never {
  if (/pooling mode/i.test(error.message)) {
    throw new PooledSessionError(
      `PostgreSQL connection pooled per statement (${error.message}): Formica runs its writes in transactions ` +
        'and needs each connection to keep one server session: use session pooling (pgbouncer: pool_mode = session)',
    );
  }
  throw error;
}
