// Crash safety: the server is killed with SIGKILL in the middle of a load, at a random moment,
// and restarted, on each layout of the embedded store. Every acknowledged transfer must be there,
// no linked chain may be half applied, and the auditor must find every invariant intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SQLITE_LAYOUTS } from '../src/store/sqlite/sqlite-ledger.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

const TOKEN = 'crash-test-operator-token-0123456789';
const ACCOUNTS = 50;
const CLIENTS = 32;
const ROUNDS = 3;

const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-crash-'));
afterAll(() => fs.rmSync(dataRoot, { recursive: true, force: true }));

async function post(server: ServerProcess, route: string, body: unknown) {
  const response = await fetch(server.url + route, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${route}: ${response.status}`);
  return (await response.json()) as { results: { id: string; result: string }[] };
}

async function transferExists(server: ServerProcess, id: string): Promise<boolean> {
  const response = await fetch(`${server.url}/v1/ledger/transfers/${id}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  return response.status === 200;
}

function transfer(id: string, from: number, to: number, linked: boolean) {
  return { id, debit_account_id: `acc${from}`, credit_account_id: `acc${to}`, amount: '1', ledger: 156, code: 1, flags: linked ? ['linked'] : [] };
}

/** Clients send single transfers and two-transfer linked chains until the server dies. */
async function load(server: ServerProcess, round: number, acknowledged: string[], chains: [string, string][]) {
  let n = 0;
  const client = async (c: number) => {
    for (;;) {
      const id = `r${round}c${c}n${n++}`;
      const a = (c * 7 + n) % ACCOUNTS;
      const b = (a + 1 + (n % (ACCOUNTS - 1))) % ACCOUNTS;
      const events = n % 3 === 0 ? [transfer(`${id}a`, a, b, true), transfer(`${id}b`, b, a, false)] : [transfer(id, a, b, false)];
      if (events.length === 2) chains.push([events[0].id, events[1].id]);
      try {
        const { results } = await post(server, '/v1/ledger/transfers', { transfers: events });
        for (const r of results) if (r.result === 'ok') acknowledged.push(r.id);
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
}

describe.each(SQLITE_LAYOUTS)('crash and restart (%s layout)', (layout) => {
  it('keeps every acknowledged transfer and never half a chain', async () => {
    const dataDir = path.join(dataRoot, layout);
    // This test audits the embedded store's file, so the server must not pick PostgreSQL up.
    const env = { FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: TOKEN, DATABASE_URL: '', FORMICA_SQLITE_LAYOUT: layout };
    let server = await startServerProcess(env, ['serve', '--no-demo']);
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => ({ id: `acc${i}`, ledger: 156, code: 1 }));
    await post(server, '/v1/ledger/accounts', { accounts });
    const acknowledged: string[] = [];
    const chains: [string, string][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const running = load(server, round, acknowledged, chains);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
      await server.kill('SIGKILL');
      await running;
      server = await startServerProcess(env, ['serve', '--no-demo']);
    }
    expect(acknowledged.length).toBeGreaterThan(100);
    for (const id of acknowledged) expect(await transferExists(server, id), id).toBe(true);
    for (const [first, second] of chains) expect(await transferExists(server, first)).toBe(await transferExists(server, second));
    await server.kill('SIGTERM');

    const store = SqliteStore.open({ file: path.join(dataDir, 'formica.db'), layout });
    const report = await verifyStore(store);
    await store.close();
    expect(report.problems).toEqual([]);
    expect(report.transfers).toBeGreaterThanOrEqual(acknowledged.length);
  });
});
