// The platform audit log's hash chain: an intact chain passes `formica audit verify` on both
// stores; an edited, a removed and a swapped entry are each caught and named (exit 1); appends
// from many callers at once, and from two connections, keep one unforked chain.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATA_KEY_FILE } from '../src/engine/data-key.ts';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { AuditLog } from '../src/modules/audit/audit-log.ts';
import { verifyAuditLog } from '../src/modules/audit/audit-verify.ts';
import { AUDIT_HEAD_FILE, keepHead } from '../src/modules/audit/audit-witness.ts';
import { openSql, type SqlDatabase } from '../src/store/sql.ts';
import { storesUnderTest } from './support/test-server.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-audit-'));
  dirs.push(dir);
  return dir;
}

function auditCli(dataDir: string, ...args: string[]) {
  const env = { ...process.env, FORMICA_DATA_DIR: dataDir, DATABASE_URL: '' };
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'audit', ...args], { env, encoding: 'utf8' });
}

const auditVerify = (dataDir: string, ...args: string[]) => auditCli(dataDir, 'verify', ...args);

async function appendFive(log: AuditLog, clock: ManualClock): Promise<void> {
  for (let i = 1; i <= 5; i += 1) {
    await log.record({ kind: 'operator.request', actor: 'operator', subject: `/v1/admin/thing/${i}`, detail: `POST number ${i}` });
    clock.advance(1_000);
  }
}

/** A SQLite data directory whose audit log holds five entries (and, when asked, the head kept beside it). */
async function intactDir(keep = false): Promise<string> {
  const dataDir = tempDir();
  const clock = new ManualClock();
  const db = await openSql({ dataDir });
  const log = await AuditLog.open(db, clock);
  await appendFive(log, clock);
  if (keep) await keepHead(log, dataDir);
  await db.close();
  return dataDir;
}

function tamper(dataDir: string, ...statements: string[]): void {
  const db = new Database(path.join(dataDir, 'formica.db'));
  for (const sql of statements) db.prepare(sql).run();
  db.close();
}

describe('formica audit verify (SQLite)', () => {
  it('passes an intact chain', async () => {
    const clean = auditVerify(await intactDir());
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toContain('audit log is intact: 5 entries');
  });

  it('names an edited entry', async () => {
    const dataDir = await intactDir();
    tamper(dataDir, "UPDATE audit_log SET detail = 'POST number 33' WHERE seq = 3");
    const broken = auditVerify(dataDir);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toContain('broken at entry 3: entry 3 (operator.request) was edited');
  });

  it('names a removed entry, in the middle and at the end', async () => {
    const middle = await intactDir();
    tamper(middle, 'DELETE FROM audit_log WHERE seq = 2');
    const gap = auditVerify(middle);
    expect(gap.status).toBe(1);
    expect(gap.stdout).toContain('broken at entry 2: entry 2 was removed');

    const end = await intactDir();
    tamper(end, 'DELETE FROM audit_log WHERE seq = 5');
    const tail = auditVerify(end);
    expect(tail.status).toBe(1);
    expect(tail.stdout).toContain('broken at entry 5: entry 5 was removed');
  });

  it('catches the newest entries cut off with the head row moved back, by the head kept outside the database', async () => {
    const dataDir = await intactDir(true);
    const printed = auditCli(dataDir, 'head').stdout.trim();
    expect(printed).toMatch(/^5:[0-9a-f]{64}$/);
    expect(fs.statSync(path.join(dataDir, AUDIT_HEAD_FILE)).mode & 0o777).toBe(0o600);
    expect(auditVerify(dataDir).stdout).toContain('its end matches the head kept outside the database (entry 5)');
    tamper(dataDir, 'DELETE FROM audit_log WHERE seq >= 4', 'UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_log WHERE seq = 3) WHERE id = 1');
    const cut = auditVerify(dataDir);
    expect(cut.status).toBe(1);
    expect(cut.stdout).toContain('broken at entry 4: entries 4 to 5 were removed');
    // Without the file, a head the operator kept elsewhere catches it too.
    fs.rmSync(path.join(dataDir, AUDIT_HEAD_FILE));
    expect(auditVerify(dataDir).status).toBe(0);
    expect(auditVerify(dataDir, '--head', printed).status).toBe(1);
  }, 300_000);

  it('names the first of two swapped entries', async () => {
    const dataDir = await intactDir();
    tamper(dataDir, 'UPDATE audit_log SET seq = -1 WHERE seq = 2', 'UPDATE audit_log SET seq = 2 WHERE seq = 3', 'UPDATE audit_log SET seq = 3 WHERE seq = -1');
    const swapped = auditVerify(dataDir);
    expect(swapped.status).toBe(1);
    expect(swapped.stdout).toContain('broken at entry 2: entry 2 (operator.request) was reordered');
  });
});

describe.each(storesUnderTest())('the audit chain (%s)', (kind) => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dataDir = tempDir();
  const opened: SqlDatabase[] = [];

  async function open(): Promise<SqlDatabase> {
    const db = await openSql({
      dataDir,
      databaseUrl: kind === 'postgres' ? process.env.DATABASE_URL : undefined,
      schema: kind === 'postgres' ? schema : undefined,
    });
    opened.push(db);
    return db;
  }

  async function onPostgres(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  afterAll(async () => {
    for (const db of opened) await db.close();
    if (kind === 'postgres') await onPostgres(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  // On PostgreSQL the two logs have a connection pool each, as two processes would; in one process
  // SQLite has one writer, which every caller shares.
  it('stays one chain under concurrent appends, and catches an edit', async () => {
    if (kind === 'postgres') await onPostgres(`CREATE SCHEMA ${schema}`);
    const clock = new ManualClock();
    const first = await AuditLog.open(await open(), clock);
    const second = kind === 'postgres' ? await AuditLog.open(await open(), clock) : first;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? first : second).record({ kind: 'identity.login', actor: `usr_${i}`, subject: `usr_${i}`, detail: `login ${i}` }),
      ),
    );
    const intact = await verifyAuditLog(first);
    expect(intact).toEqual({ entries: 40, problem: null });
    const page = await first.page(0n, 100);
    expect(page.entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
    expect(new Set(page.entries.map((e) => e.prevHash)).size).toBe(40);
    expect(new Set(page.entries.map((e) => e.detail)).size).toBe(40);

    await opened[0].run("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 17");
    const edited = await verifyAuditLog(second);
    expect(edited.problem?.seq).toBe(17n);
    expect(edited.problem?.message).toContain('was edited');
  });

  it('rolls an entry back with the transaction of the write it records', async () => {
    const log = await AuditLog.open(opened[0], new ManualClock());
    const before = await log.head();
    await expect(
      opened[0].transaction(async (tx) => {
        await log.append(tx, { kind: 'wallet.adjustment', actor: 'operator', subject: 'usr_x', detail: 'never committed' });
        throw new Error('the write it records failed');
      }),
    ).rejects.toThrow('the write it records failed');
    expect(await log.head()).toEqual(before);
    expect(await log.count()).toBe(40n);
  });

  it('pages entries after a sequence number', async () => {
    const log = await AuditLog.open(opened[0], new ManualClock());
    const firstPage = await log.page(0n, 15);
    expect(firstPage.entries).toHaveLength(15);
    expect(firstPage.next).toBe(15n);
    const last = await log.page(30n, 15);
    expect(last.entries.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(31 + i)));
    expect(last.next).toBeNull();
  });
});

describe('data key rotation in the audit log', () => {
  it('notes the keys in use at the first start, and again only when a rotation changed them', async () => {
    const dataDir = tempDir();
    const start = () => createFormica({ dataDir, clock: new ManualClock(), runJobs: false, sandbox: false });
    const noted = async () => {
      const app = await start();
      try {
        return (await app.audit.page(0n, 100)).entries.filter((e) => e.kind === 'system.data_keys').map((e) => e.detail);
      } finally {
        await app.close();
      }
    };
    const first = await noted();
    expect(first).toHaveLength(1);
    expect(await noted()).toEqual(first);

    const keyFile = path.join(dataDir, DATA_KEY_FILE);
    fs.writeFileSync(keyFile, `${randomBytes(32).toString('hex')},${fs.readFileSync(keyFile, 'utf8').trim()}`);
    const rotated = await noted();
    expect(rotated).toHaveLength(2);
    expect(rotated[1]).toMatch(/^in use, newest first: [0-9a-f]{8}, [0-9a-f]{8}$/);
    expect(rotated[1].endsWith(first[0].slice('in use, newest first: '.length))).toBe(true);
  });
});
