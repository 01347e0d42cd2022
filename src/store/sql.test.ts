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
  const migrations = {
    sqlite: ['CREATE TABLE notes (user_id TEXT NOT NULL, n BIGINT NOT NULL)'],
    postgres: ['CREATE TABLE notes (user_id TEXT NOT NULL, n BIGINT NOT NULL)'],
  };

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

  it('rolls back only the transaction that failed when many run at once, and keeps the rest', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.run('INSERT INTO notes (user_id, n) VALUES (?, ?)', [`many-${i}`, BigInt(i)]);
          if (i % 4 === 0) throw new Error(`refused ${i}`);
          return i;
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
    const kept = await db.all<{ user_id: string }>("SELECT user_id FROM notes WHERE user_id LIKE 'many-%'");
    expect(kept).toHaveLength(30);
    expect(kept.map((r) => r.user_id)).not.toContain('many-0');
    // A refused unit's writes are gone; a statement after it sees a consistent table.
    expect(await db.get('SELECT count(*) AS c FROM notes WHERE user_id = ?', ['many-4'])).toEqual({ c: 0n });
  });

  it('answers a caller only after its work is durable: a reopened database has it', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => db.run('INSERT INTO notes (user_id, n) VALUES (?, ?)', [`durable-${i}`, 1n])));
    await db.close();
    db = await openSql({ dataDir, databaseUrl: kind === 'postgres' ? process.env.DATABASE_URL : undefined, schema: kind === 'postgres' ? schema : undefined });
    const rows = await db.all<{ c: bigint }>("SELECT count(*) AS c FROM notes WHERE user_id LIKE 'durable-%'");
    expect(rows[0].c).toBe(20n);
  });
});
