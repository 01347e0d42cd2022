// Several API processes through one pgbouncer, as an operator runs them in front of one PostgreSQL.
// Session pooling carries concurrent payments through both processes: every acknowledged transfer
// is in the database and `formica verify` finds the books clean. Transaction pooling breaks the
// named prepared statements, so Formica refuses to start behind it, before it writes anything
// (decision 35); so it does when the pooler dropped its startup options and the server would
// commit without waiting for the flush.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Pgbouncer, pgbouncerUnavailable, startPgbouncer } from '../ops/pgbouncer/pgbouncer.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { send } from './support/http.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

const adminUrl = process.env.DATABASE_URL;
const skipReason = adminUrl ? pgbouncerUnavailable() : 'DATABASE_URL is not set';
const suffix = randomBytes(4).toString('hex');
const database = `formica_pgb_${suffix}`;
const untouched = `formica_pgb_tx_${suffix}`;
const weak = `formica_pgb_weak_${suffix}`;
const token = randomBytes(24).toString('hex');
const PASSWORD = 'correct horse';
const PAYERS = 4;
const PAYMENTS_EACH = 30;

async function onServer<R extends pg.QueryResultRow>(sql: string, params: unknown[] = [], db?: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: db ? urlOf(db) : adminUrl });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** The database `db` on the PostgreSQL server itself, past any pooler. */
function urlOf(db: string): string {
  const url = new URL(adminUrl ?? '');
  url.pathname = `/${db}`;
  return url.toString();
}

function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
}

describe.skipIf(skipReason !== null)(`several API processes behind pgbouncer${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const dirs: string[] = [];
  const bouncers: Pgbouncer[] = [];
  let session: Pgbouncer;
  let transaction: Pgbouncer;
  let a: ServerProcess;
  let b: ServerProcess;
  let dataDir = '';
  const env = (url: string) => ({ DATABASE_URL: url, FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: token, FORMICA_BANK_URL: 'http://127.0.0.1:9' });

  async function bouncer(poolMode: 'session' | 'transaction'): Promise<Pgbouncer> {
    const dir = path.join(os.tmpdir(), `formica-pgbouncer-${poolMode}-${suffix}`);
    dirs.push(dir);
    const started = await startPgbouncer(dir, { poolMode, serverUrl: adminUrl, defaultPoolSize: 60, maxClientConn: 200 });
    bouncers.push(started);
    return started;
  }

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-pgb-data-'));
    for (const db of [database, untouched, weak]) await onServer(`CREATE DATABASE ${db}`);
    // A server whose sessions commit without waiting for the flush unless told otherwise.
    await onServer(`ALTER DATABASE ${weak} SET synchronous_commit = local`);
    session = await bouncer('session');
    transaction = await bouncer('transaction');
    // One after the other: the first migrates; the second finds the schema ready.
    a = await startServerProcess(env(session.urlFor(urlOf(database))), ['serve', '--no-demo']);
    b = await startServerProcess(env(session.urlFor(urlOf(database))), ['serve', '--no-demo']);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
    await Promise.all(bouncers.map((bouncer) => bouncer.stop()));
    for (const db of [database, untouched, weak]) await onServer(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    for (const dir of [dataDir, ...dirs]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function user(server: ServerProcess, phone: string): Promise<{ id: string; token: string }> {
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: PASSWORD, name: 'Pooled' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(201);
    return { id: reg.body.user_id, token: login.body.token };
  }

  it('carries concurrent payments through both processes under session pooling, every acknowledged one kept', async () => {
    const payee = await user(b, '13800000100');
    const payers = [];
    for (let i = 0; i < PAYERS; i++) {
      const server = i % 2 === 0 ? a : b;
      const payer = await user(server, `1380000000${i}`);
      expect((await send(`${server.url}/v1/admin/users/${payer.id}/verifications`, token, 'POST', { level: 'II', reference: 'desk' })).status).toBeLessThan(
        300,
      );
      const funding = { user_id: payer.id, amount: '10.00', currency: 'CNY', direction: 'credit', reason: 'pooled', request_id: `pgb-fund-${i}` };
      expect((await send(`${server.url}/v1/admin/adjustments`, token, 'POST', funding)).status).toBeLessThan(300);
      payers.push(payer);
    }

    // Every payer sends 30 payments of 0.50 against 10.00, alternating processes, all in flight together.
    const replies = await Promise.all(
      payers.flatMap((payer, p) =>
        Array.from({ length: PAYMENTS_EACH }, (_, i) =>
          send(`${(p + i) % 2 === 0 ? a.url : b.url}/v1/wallet/transfers`, payer.token, 'POST', {
            to_phone: '13800000100',
            amount: '0.50',
            currency: 'CNY',
            request_id: `pgb-${p}-${i}`,
          }),
        ),
      ),
    );
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    const acknowledged = replies.filter((r) => r.status < 300 && r.body.status === 'completed').map((r) => r.body.transfer_id as string);
    expect(acknowledged).toHaveLength(PAYERS * 20);
    expect(replies.filter((r) => r.body.code === 'insufficient_funds')).toHaveLength(PAYERS * (PAYMENTS_EACH - 20));

    // Read on the server itself, past the pooler: every acknowledged transfer is there, once, with its amount.
    const stored = await onServer<{ id: string; amount: string }>(
      'SELECT id, amount::text FROM transfers WHERE id = ANY($1::text[])',
      [acknowledged],
      database,
    );
    expect(stored.map((t) => t.id).sort()).toEqual([...acknowledged].sort());
    expect(new Set(stored.map((t) => t.amount))).toEqual(new Set(['50']));

    for (const server of [a, b]) {
      for (const payer of payers) expect((await send(`${server.url}/v1/wallet`, payer.token, 'GET')).body.balance).toBe('0.00');
      expect((await send(`${server.url}/v1/wallet`, payee.token, 'GET')).body.balance).toBe('40.00');
    }
  }, 120_000);

  it('leaves books that formica verify, run through the same pooler, finds clean', () => {
    const run = runCli(['verify'], env(session.urlFor(urlOf(database))));
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('every invariant holds');
  }, 90_000);

  it('loses a named prepared statement under transaction pooling: why Formica cannot run there', async () => {
    const [first, second] = [0, 1].map(() => new pg.Client({ connectionString: transaction.urlFor(urlOf(database)) }));
    await first.connect();
    await second.connect();
    try {
      const named = { name: 'formica_probe', text: 'SELECT pg_backend_pid() AS pid' };
      const before = (await first.query<{ pid: number }>(named)).rows[0].pid;
      // The second connection takes the server session the first just released, and keeps it.
      await second.query('BEGIN');
      expect((await second.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid).toBe(before);
      // The first is served by another session, which never saw the prepare.
      await expect(first.query(named)).rejects.toThrow(/prepared statement "formica_probe" does not exist/);
      await second.query('ROLLBACK');
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  }, 30_000);

  it('refuses to start behind transaction pooling, naming session pooling, before it writes anything', async () => {
    const run = runCli(['serve', '--no-demo'], { ...env(transaction.urlFor(urlOf(untouched))), PORT: '0', HOST: '127.0.0.1' });
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toContain('pooled per transaction');
    expect(run.stderr).toContain('pool_mode = session');
    const tables = await onServer<{ n: string }>(
      "SELECT count(*)::text AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
      [],
      untouched,
    );
    expect(tables[0].n).toBe('0');
  }, 90_000);

  it('refuses a pooled session that lost synchronous_commit=on, naming the server setting', async () => {
    const opened = PostgresStore.open({ url: session.urlFor(urlOf(weak)) });
    await expect(opened).rejects.toThrow(/synchronous_commit = local.*ALTER ROLE <role> SET synchronous_commit = on/);
    // Past the pooler the startup option applies, whatever the database's default.
    const direct = await PostgresStore.open({ url: urlOf(weak) });
    await direct.close();
  }, 30_000);
});
