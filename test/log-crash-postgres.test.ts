// Crash safety of PostgreSQL's log layout: a child process writing through the engine is killed
// with SIGKILL while groups append and commit and while its materializer writes the tables, four
// times. After each kill the store is reopened: every acknowledged transfer is there, no linked
// chain is half applied, the auditor is clean, and the log folded from its first row equals the
// writer's memory and the materialized tables. Runs when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { startWriterChild } from './support/writer-child.ts';

const url = process.env.DATABASE_URL ?? '';
const schema = `log_crash_${randomBytes(4).toString('hex')}`;
const ROUNDS = 4;

async function query<R extends pg.QueryResultRow>(sql: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  if (url) await query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
});

describe.skipIf(!url)('PostgreSQL log layout crash and recovery', () => {
  it('keeps every acknowledged transfer through kills during commit and materialization', async () => {
    const rounds = [];
    let materializerBehind = false;
    for (let round = 0; round < ROUNDS; round++) {
      // The child inherits DATABASE_URL.
      const writer = startWriterChild(path.join(import.meta.dirname, 'support/log-ledger-writer.ts'), ['postgres', String(round), schema]);
      await writer.until(() => writer.acknowledged.length >= 400 + Math.floor(Math.random() * 2_000));
      const [meta] = await query<{ behind: number }>('SELECT (log_seq - (SELECT through FROM ledger_materialized))::int AS behind FROM ledger_meta');
      materializerBehind ||= meta.behind > 0;
      await writer.kill();
      rounds.push({ acknowledged: writer.acknowledged, chains: writer.chains });
    }
    // The materializer trails the commits: a kill lands while rows wait for the tables.
    expect(materializerBehind).toBe(true);
    const store = await PostgresStore.open({ url, schema, layout: 'log' });
    try {
      const present = new Set<string>();
      for await (const page of store.scanTransfers(10_000)) for (const t of page) present.add(t.id);
      for (const r of rounds) {
        for (const id of r.acknowledged) expect(present.has(id), id).toBe(true);
        for (const [a, b] of r.chains) expect(present.has(a), `${a} ${b}`).toBe(present.has(b));
      }
      expect((await verifyStore(store)).problems).toEqual([]);
      const [counts] = await query<{ log: number; through: number }>(
        'SELECT log_seq::int AS log, (SELECT through::int FROM ledger_materialized) AS through FROM ledger_meta',
      );
      expect(counts.through).toBe(counts.log);
    } finally {
      await store.close();
    }
  });
});
