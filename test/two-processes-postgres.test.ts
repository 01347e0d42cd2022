// Two API processes on one PostgreSQL, as an operator scales out: both serve the same users at the
// same time. Money stays exact across them (one wallet spent from both sides never overdraws), a
// session made on one works on the other and its logout is seen there at once, and `formica verify`
// finds the shared books clean.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/http.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

const adminUrl = process.env.DATABASE_URL;
const run = `formica_two_${randomBytes(4).toString('hex')}`;
const token = randomBytes(24).toString('hex');
const PASSWORD = 'correct horse';

async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(database: string): string {
  const url = new URL(adminUrl ?? '');
  url.pathname = `/${database}`;
  return url.toString();
}

describe.skipIf(!adminUrl).each(['tables', 'log'])('two API processes on one PostgreSQL (%s layout)', (layout) => {
  const database = `${run}_${layout}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-two-'));
  let a: ServerProcess;
  let b: ServerProcess;
  const env = () => ({
    DATABASE_URL: databaseUrl(database),
    FORMICA_PG_LAYOUT: layout,
    FORMICA_DATA_DIR: dataDir,
    FORMICA_ADMIN_TOKEN: token,
    FORMICA_BANK_URL: 'http://127.0.0.1:9',
  });

  beforeAll(async () => {
    await onServer(`CREATE DATABASE ${database}`);
    // One after the other: the first migrates; the second finds the schema ready.
    a = await startServerProcess(env(), ['serve', '--no-demo']);
    b = await startServerProcess(env(), ['serve', '--no-demo']);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.kill('SIGTERM'), b?.kill('SIGTERM')]);
    await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function user(server: ServerProcess, phone: string): Promise<{ id: string; token: string }> {
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: PASSWORD, name: 'Two Sides' });
    expect(reg.status, JSON.stringify(reg.body)).toBe(201);
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(201);
    return { id: reg.body.user_id, token: login.body.token };
  }

  it('spends one wallet from both processes at once without overdrawing it', async () => {
    const payer = await user(a, '13700000001');
    await user(b, '13700000002');
    expect((await send(`${b.url}/v1/admin/users/${payer.id}/verifications`, token, 'POST', { level: 'II', reference: 'desk' })).status).toBeLessThan(300);
    const funding = { user_id: payer.id, amount: '10.00', currency: 'CNY', direction: 'credit', reason: 'two sides', request_id: 'two-fund' };
    expect((await send(`${a.url}/v1/admin/adjustments`, token, 'POST', funding)).status).toBeLessThan(300);

    // 40 payments of 0.50 against 10.00, half through each process, all in flight together.
    const pay = (server: ServerProcess, i: number) =>
      send(`${server.url}/v1/wallet/transfers`, payer.token, 'POST', { to_phone: '13700000002', amount: '0.50', currency: 'CNY', request_id: `two-${i}` });
    const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => pay(i % 2 === 0 ? a : b, i)));
    expect(replies.filter((r) => r.status >= 500)).toEqual([]);
    const completed = replies.filter((r) => r.status < 300 && r.body.status === 'completed');
    expect(completed).toHaveLength(20);
    expect(replies.filter((r) => r.body.code === 'insufficient_funds')).toHaveLength(20);

    // A replay through the other process answers the first result and moves nothing.
    const first = replies.findIndex((r) => r.status < 300);
    const replay = await pay(first % 2 === 0 ? b : a, first);
    expect(replay.body.transfer_id).toEqual(replies[first].body.transfer_id);

    for (const server of [a, b]) {
      const wallet = await send(`${server.url}/v1/wallet`, payer.token, 'GET');
      expect(wallet.body.balance).toBe('0.00');
    }
  }, 60_000);

  it('honours a session made on one process on the other, and its logout at once', async () => {
    const someone = await user(a, '13700000003');
    expect((await send(`${b.url}/v1/me`, someone.token, 'GET')).status).toBe(200);
    expect((await send(`${b.url}/v1/sessions/current`, someone.token, 'DELETE')).status).toBeLessThan(300);
    expect((await send(`${a.url}/v1/me`, someone.token, 'GET')).status).toBe(401);
  }, 30_000);

  it('leaves shared books that formica verify finds clean', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'verify'], { env: { ...process.env, ...env() }, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('every invariant holds');
  }, 60_000);
});
