// A test server's close that has not finished after 20 s says which step it is in and what the
// database's other sessions are doing, so a close that hangs under the full suite's load (and
// only there) leaves enough behind to find why.
import pg from 'pg';

const REPORT_AFTER_MS = 20_000;

export interface CloseWatch {
  step(name: string): void;
  done(): void;
}

export function watchClose(label: string, databaseUrl: string | undefined): CloseWatch {
  let step = 'server';
  const timer = setTimeout(() => {
    void report(label, step, databaseUrl).catch((error: Error) => console.warn(`${label}: slow close in '${step}'; no report: ${error.message}`));
  }, REPORT_AFTER_MS);
  timer.unref();
  return {
    step: (name) => {
      step = name;
    },
    done: () => clearTimeout(timer),
  };
}

async function report(label: string, step: string, databaseUrl: string | undefined): Promise<void> {
  const lines = [`${label}: close still in '${step}' after ${REPORT_AFTER_MS / 1000} s`];
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    client.on('error', () => {});
    await client.connect();
    try {
      const { rows } = await client.query(
        `SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS in_transaction, left(query, 160) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      lines.push(`sessions not idle: ${JSON.stringify(rows)}`);
    } finally {
      await client.end();
    }
  }
  console.warn(lines.join('\n'));
}
