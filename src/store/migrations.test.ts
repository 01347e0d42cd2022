// The migrator on both stores (PostgreSQL when DATABASE_URL is set): named and plain migrations
// recorded with their checksums, an edited or unknown migration refusing the start, a database of
// the index-numbered runner carried over without running anything again, concurrent starters.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checksum, declaredMigrations, type MigrationSource } from './migrations.ts';
import { openSql, type SqlDatabase } from './sql.ts';

const url = process.env.DATABASE_URL;
const kinds = url ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

const NOTES = 'CREATE TABLE notes (id TEXT PRIMARY KEY, n BIGINT NOT NULL)';
const TAGS = { name: '0002_add_note_tags', sql: 'CREATE TABLE note_tags (note_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (note_id, tag))' };
const both = (list: readonly MigrationSource[]) => ({ sqlite: list, postgres: list });

it('names a plain migration by its number and refuses a name that is not its own number', () => {
  expect(declaredMigrations('notes', [NOTES, TAGS]).map((m) => m.name)).toEqual(['0001', '0002_add_note_tags']);
  expect(() => declaredMigrations('notes', [TAGS])).toThrow(/notes\/0002_add_note_tags is number 0001/);
  expect(() => declaredMigrations('notes', [NOTES, { name: '0002 Tags', sql: TAGS.sql }])).toThrow(/is number 0002/);
});

describe.each(kinds)('migrations (%s)', (kind) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-migrations-'));
  const schemas: string[] = [];
  const opened: SqlDatabase[] = [];

  /** A fresh place: its own file, or its own PostgreSQL schema. */
  function place(): { dataDir: string; databaseUrl?: string; schema?: string } {
    const dataDir = fs.mkdtempSync(path.join(dir, 'p-'));
    if (kind === 'sqlite') return { dataDir };
    const schema = `m_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return { dataDir, databaseUrl: url, schema };
  }

  async function open(where: ReturnType<typeof place>): Promise<SqlDatabase> {
    const db = await openSql(where);
    opened.push(db);
    return db;
  }

  afterAll(async () => {
    for (const db of opened) await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    if (schemas.length === 0) return;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  });

  it('applies each migration once and records its name, checksum and time', async () => {
    const db = await open(place());
    await db.migrate('notes', both([NOTES]));
    await db.migrate('notes', both([NOTES, TAGS]));
    await db.migrate('notes', both([NOTES, TAGS]));
    const rows = await db.all<{ version: bigint; name: string; checksum: string; applied_at: bigint }>(
      "SELECT version, name, checksum, applied_at FROM applied_migrations WHERE scope = 'notes' ORDER BY version",
    );
    expect(rows.map((r) => [Number(r.version), r.name, r.checksum])).toEqual([
      [1, '0001', checksum(NOTES)],
      [2, '0002_add_note_tags', checksum(TAGS.sql)],
    ]);
    expect(rows.every((r) => Number(r.applied_at) > 0)).toBe(true);
    await db.run("INSERT INTO note_tags (note_id, tag) VALUES ('a', 'b')");
  });

  it('refuses to start when an applied migration was edited, and changes nothing', async () => {
    const db = await open(place());
    await db.migrate('notes', both([NOTES]));
    const edited = `${NOTES.slice(0, -1)}, extra TEXT)`;
    await expect(db.migrate('notes', both([edited, TAGS]))).rejects.toThrow(/migration notes\/0001 was applied with checksum [0-9a-f]{12} but its text is now/);
    expect(await db.get("SELECT count(*) AS c FROM applied_migrations WHERE scope = 'notes'")).toEqual({ c: 1n });
    await expect(db.run("INSERT INTO note_tags (note_id, tag) VALUES ('a', 'b')")).rejects.toThrow();
  });

  it('refuses to start on a database that a newer version migrated further', async () => {
    const db = await open(place());
    await db.migrate('notes', both([NOTES, TAGS]));
    await expect(db.migrate('notes', both([NOTES]))).rejects.toThrow(/does not know \(notes\/0002_add_note_tags\)/);
  });

  it('takes a plain migration given a name later as the same migration', async () => {
    const db = await open(place());
    await db.migrate('notes', both([NOTES]));
    await db.migrate('notes', both([{ name: '0001_notes', sql: NOTES }]));
    expect(await db.get("SELECT name FROM applied_migrations WHERE scope = 'notes'")).toEqual({ name: '0001_notes' });
  });

  it('carries over a database of index-numbered versions without running anything again', async () => {
    const where = place();
    const db = await open(where);
    await db.migrate('setup', both([])); // creates the PostgreSQL schema
    // What the earlier runner left: the tables, and one (scope, version) row per applied migration.
    await db.transaction(async (tx) => {
      await tx.run('CREATE TABLE schema_migrations (scope TEXT NOT NULL, version BIGINT NOT NULL, PRIMARY KEY (scope, version))');
      await tx.run(NOTES);
      await tx.run("INSERT INTO schema_migrations (scope, version) VALUES ('notes', 1), ('other', 1)");
    });
    await db.run("INSERT INTO notes (id, n) VALUES ('kept', 7)");
    // Running NOTES again would fail: the table exists.
    await db.migrate('notes', both([NOTES, TAGS]));
    expect(await db.all("SELECT name, checksum FROM applied_migrations WHERE scope = 'notes' ORDER BY version")).toEqual([
      { name: '0001', checksum: checksum(NOTES) },
      { name: '0002_add_note_tags', checksum: checksum(TAGS.sql) },
    ]);
    expect(await db.all('SELECT id FROM notes')).toEqual([{ id: 'kept' }]);
    // Other scopes keep their old rows until their own module starts.
    expect(await db.all('SELECT scope FROM schema_migrations')).toEqual([{ scope: 'other' }]);
    await db.migrate('notes', both([NOTES, TAGS]));
  });

  // The embedded store has one writing process: two stores of one file in one process would wait on
  // each other's write lock on one thread. Its opening together is the contract suite's (the ledger's
  // migrations, applied in one IMMEDIATE transaction at open).
  it.skipIf(kind === 'sqlite')('applies once when two databases start on the same fresh place together', async () => {
    const where = place();
    const [a, b] = await Promise.all([open(where), open(where)]);
    await Promise.all([a.migrate('notes', both([NOTES, TAGS])), b.migrate('notes', both([NOTES, TAGS]))]);
    expect(await a.get("SELECT count(*) AS c FROM applied_migrations WHERE scope = 'notes'")).toEqual({ c: 2n });
  });
});
