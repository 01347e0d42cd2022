// A connection the server ends while it is checked out, between two queries of its borrower,
// must fail only that borrower: without the pool's own listener its 'error' event would be an
// uncaught exception (the run fails on it). Runs when DATABASE_URL is set.
import { afterAll, describe, expect, it } from 'vitest';
import { checkSchemaName, openPool } from './pool.ts';

const url = process.env.DATABASE_URL;

describe('schema names', () => {
  it('takes a plain identifier and refuses anything that could break out of a startup option', () => {
    expect(() => checkSchemaName('ledger_2')).not.toThrow();
    expect(() => checkSchemaName(undefined)).not.toThrow();
    for (const bad of ['Ledger', '2ledger', 'a b', 'x;drop', 'a'.repeat(64), '']) expect(() => checkSchemaName(bad), bad).toThrow(/invalid schema name/);
  });
});

describe.skipIf(!url)('PostgreSQL pool', () => {
  const pool = openPool({ url: url ?? '', max: 2 });
  afterAll(() => pool.end());

  it('survives the server ending a connection its borrower holds without listening, and discards it', async () => {
    const held = await pool.connect();
    const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const ended = new Promise((resolve) => held.once('end', resolve));

    // Another connection has the server end the held one: its FATAL arrives with no query running.
    await pool.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
    await ended;

    await expect(held.query('SELECT 1')).rejects.toThrow();
    held.release();
    expect(pool.totalCount).toBe(1);
    const { rows: after } = await pool.query<{ one: number }>('SELECT 1 AS one');
    expect(after[0].one).toBe(1);
  });
});
