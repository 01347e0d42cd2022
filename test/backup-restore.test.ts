// `formica backup` while the server is writing, `formica restore` into a fresh directory, then
// `formica verify` and `formica audit verify` clean on the copy, with the balances it had.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { fund, newUsers } from './support/users.ts';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-backup-'));
const servers: TestServer[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const sqliteEnv = { ...process.env, DATABASE_URL: '', FORMICA_DATA_DIR: '' };

function formica(args: string[], env: NodeJS.ProcessEnv = sqliteEnv) {
  return spawnSync(process.execPath, [...CLI, ...args], { env, encoding: 'utf8' });
}

/** The CLI without blocking this process, whose event loop serves the server meanwhile. */
function formicaAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { env: sqliteEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('formica backup and restore (SQLite)', () => {
  it('copies a store that is being written, and the restored copy verifies with the same balances', async () => {
    const server = await startTestServer();
    servers.push(server);
    const users = await newUsers(server, 4);
    const [busy, ...steady] = users;
    for (const [i, user] of steady.entries()) await fund(server, user, `${100 + i}.25`);
    await fund(server, busy, '1.00');

    // One operator keeps crediting `busy` for as long as the backup runs.
    let writing = true;
    let credits = 0;
    const writer = (async () => {
      while (writing) {
        const reply = await server.call('POST', '/v1/admin/adjustments', {
          user_id: busy.id,
          amount: '0.01',
          currency: 'CNY',
          direction: 'credit',
          reason: 'busy',
          request_id: `busy-${credits}`,
        });
        expect(reply.status).toBe(200);
        credits += 1;
      }
    })();
    const backupFile = path.join(scratch, 'formica-backup.db');
    const backup = await formicaAsync(['backup', '--data-dir', server.dataDir, '--to', backupFile]);
    writing = false;
    await writer;
    expect(credits).toBeGreaterThan(0);
    expect(backup.status, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/backed up \d+ pages/);
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);

    const restoredDir = path.join(scratch, 'restored');
    const restore = formica(['restore', '--from', backupFile, '--data-dir', restoredDir]);
    expect(restore.status, restore.stderr).toBe(0);
    expect(fs.statSync(restoredDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.join(restoredDir, 'formica.db')).mode & 0o777).toBe(0o600);

    const verify = formica(['verify', '--data-dir', restoredDir]);
    expect(verify.status, verify.stdout).toBe(0);
    expect(verify.stdout).toContain('every invariant holds');
    const audit = formica(['audit', 'verify', '--data-dir', restoredDir]);
    expect(audit.status, audit.stdout).toBe(0);
    expect(audit.stdout).toContain('audit log is intact');

    const restored = await createFormica({ dataDir: restoredDir, clock: new ManualClock(), runJobs: false, sandbox: false });
    try {
      for (const user of steady) {
        expect((await restored.wallet.summary(user.id)).balanceMinor).toBe((await server.app.wallet.summary(user.id)).balanceMinor);
      }
      // `busy` has some whole number of the credits made while the copy was taken, never a part of one.
      const copied = (await restored.wallet.summary(busy.id)).balanceMinor;
      expect(copied).toBeGreaterThanOrEqual(100n);
      expect(copied).toBeLessThanOrEqual((await server.app.wallet.summary(busy.id)).balanceMinor);
    } finally {
      await restored.close();
    }
  });

  it('refuses a target that is not empty unless forced, and anything that is not a Formica database', () => {
    const target = path.join(scratch, 'occupied');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'keep.txt'), 'something');
    const backupFile = path.join(scratch, 'formica-backup.db');
    const refused = formica(['restore', '--from', backupFile, '--data-dir', target]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('is not empty; pass --force');
    expect(fs.existsSync(path.join(target, 'formica.db'))).toBe(false);

    const forced = formica(['restore', '--from', backupFile, '--data-dir', target, '--force']);
    expect(forced.status, forced.stderr).toBe(0);
    expect(fs.readFileSync(path.join(target, 'keep.txt'), 'utf8')).toBe('something');

    const junk = path.join(scratch, 'junk.db');
    fs.writeFileSync(junk, 'not a database at all, just text that is long enough to be read');
    const notDb = formica(['restore', '--from', junk, '--data-dir', path.join(scratch, 'other')]);
    expect(notDb.status).toBe(2);
    expect(notDb.stderr).toContain('is not a SQLite database');
  });

  it('on PostgreSQL, points to pg_dump and pg_restore and exits 2', () => {
    const env = { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' };
    const backup = formica(['backup', '--to', path.join(scratch, 'pg.dump')], env);
    expect(backup.status).toBe(2);
    expect(backup.stderr).toContain('pg_dump --format=custom');
    const restore = formica(['restore', '--from', path.join(scratch, 'pg.dump'), '--data-dir', path.join(scratch, 'pg')], env);
    expect(restore.status).toBe(2);
    expect(restore.stderr).toContain('pg_restore');
  });
});
