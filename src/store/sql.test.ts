// The SQL seam over SQLite (and PostgreSQL when DATABASE_URL is set): placeholders, bigints,
// migrations applied once, transactions that roll back, and serialized SQLite transactions.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { openSql, type SqlDatabase, toDollarParams } from './sql.ts';

it('turns ? into $n outside quoted text', () => {
  expect(toDollarParams("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?")).toBe("SELECT * FROM t WHERE a = $1 AND b = '?' AND c = $2");
});

const kinds = process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

describe.each(kinds)('SqlDatabase (%s)', (kind) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-sql-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  let db: SqlDatabase;
  const migrations = { sqlite: ['CREATE TABLE notes (user_id TEXT NOT NULL, n BIGINT NOT NULL)'], postgres: ['CREATE TABLE notes (user_id TEXT NOT NULL, n BIGINT NOT NULL)'] };

  afterAll(async () => {
    await db?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });

  it('migrates once, round-trips bigints, and rolls back a failed transaction', async () => {
    if (kind === 'postgres') {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`CREATE SCHEMA ${schema}`);
      await client.end();
    }
    db = await openSql({ dataDir, databaseUrl: kind === 'postgres' ? process.env.DATABASE_URL : undefined, schema: kind === 'postgres' ? schema : undefined });
    await db.migrate('notes', migrations);
    await db.migrate('notes', migrations);
    await db.run('INSERT INTO notes (user_id, n) VALUES (?, ?)', ['u1', 9_007_199_254_740_993n]);
    expect(await db.get('SELECT n FROM notes WHERE user_id = ?', ['u1'])).toEqual({ n: 9_007_199_254_740_993n });
    await expect(
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO notes (user_id, n) VALUES (?, ?)', ['u2', 1n]);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await db.all('SELECT user_id FROM notes ORDER BY user_id')).toEqual([{ user_id: 'u1' }]);
  });

  it('keeps concurrent read-modify-write transactions from losing updates', async () => {
    await db.run('INSERT INTO notes (user_id, n) VALUES (?, ?)', ['counter', 0n]);
    await Promise.all(
      Array.from({ length: 50 }, () =>
        db.transaction(async (tx) => {
          const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
          const row = await tx.get<{ n: bigint }>(`SELECT n FROM notes WHERE user_id = ?${lock}`, ['counter']);
          await tx.run('UPDATE notes SET n = ? WHERE user_id = ?', [row!.n + 1n, 'counter']);
        }),
      ),
    );
    expect((await db.get<{ n: bigint }>('SELECT n FROM notes WHERE user_id = ?', ['counter']))!.n).toBe(50n);
  });
});
