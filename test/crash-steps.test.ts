// Crash safety of the money modules: wallet transfers, card top-ups and withdrawals run from many
// clients against a bank that executes every call, and the server is killed with SIGKILL at a
// random moment, three times. After the last restart the clock is moved past the grace period
// (sandbox mode), so the resume pass runs. Then no operation may be left started, reserved or
// pending, Formica and the bank must agree on every card operation, the limits must count exactly
// the transfers that were claimed, every acknowledged payment must be on the ledger, and the
// auditor must find every invariant intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { createBankClient } from '../src/modules/channels/bank-client.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/index.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { send } from './support/http.ts';
import { type ServerProcess, startServerProcess } from './support/server-process.ts';

const TOKEN = 'crash-steps-operator-token-0123456789abcdef';
const USERS = 8;
const CLIENTS = 24;
const ROUNDS = 3;
const PASSWORD = 'correct horse battery';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-crash-steps-'));
const env = { FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: TOKEN, DATABASE_URL: '', FORMICA_SANDBOX: '1', FORMICA_BANK_TIMEOUT_MS: '2000' };

interface User {
  id: string;
  phone: string;
  token: string;
  cardId: string;
}

/** A Luhn-valid test card number (never a real card) for user `i`. */
function cardNumber(i: number): string {
  const body = `622202020011${String(i).padStart(3, '0')}`;
  let sum = 0;
  for (let k = 0; k < body.length; k++) {
    let d = Number(body[body.length - 1 - k]);
    if (k % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

let bank: RunningBankSimulator;
let server: ServerProcess;
const users: User[] = [];

const admin = (method: string, route: string, body?: unknown) => send(server.url + route, TOKEN, method, body);
const as = (user: User, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);

async function newUser(i: number): Promise<User> {
  const phone = `136${String(process.pid % 10_000).padStart(4, '0')}${String(i).padStart(4, '0')}`;
  const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: PASSWORD, name: 'Li Lei' });
  expect(reg.status, JSON.stringify(reg.body)).toBeLessThan(300);
  const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: PASSWORD });
  const user: User = { id: reg.body.user_id ?? login.body.user_id, phone, token: login.body.token, cardId: '' };
  expect((await admin('POST', `/v1/admin/users/${user.id}/verifications`, { level: 'II', reference: 'desk' })).status).toBeLessThan(300);
  const funded = await admin('POST', '/v1/admin/adjustments', {
    user_id: user.id,
    amount: '500.00',
    currency: 'CNY',
    direction: 'credit',
    reason: 'test funds',
    request_id: `fund-${user.id}`,
  });
  expect(funded.status, JSON.stringify(funded.body)).toBeLessThan(300);
  const started = await as(user, 'POST', '/v1/cards', { bank: 'ICBC', card_no: cardNumber(i), name: 'Li Lei', id_no: '110101199001011234', phone });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  const sms = await send(`${bank.url}/sim/sms?phone=${phone}`, undefined, 'GET');
  const code = sms.body.messages[sms.body.messages.length - 1].code;
  expect((await as(user, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: code })).status).toBe(200);
  return { ...user, cardId: started.body.card_id };
}

interface Acknowledged {
  transfers: string[];
  operations: string[];
}

/** Clients pay each other, top up and withdraw until the server dies. */
async function load(round: number, acked: Acknowledged): Promise<void> {
  const client = async (c: number) => {
    for (let n = 0; ; n++) {
      const user = users[(c + n) % USERS];
      const requestId = `r${round}c${c}n${n}`;
      try {
        if (n % 3 === 0) {
          const payee = users[(c + n + 1) % USERS];
          const r = await as(user, 'POST', '/v1/wallet/transfers', { to_phone: payee.phone, amount: '0.37', currency: 'CNY', request_id: requestId });
          if (r.status === 200 && r.body.status === 'completed') acked.transfers.push(r.body.transfer_id);
        } else {
          const kind = n % 3 === 1 ? 'topups' : 'withdrawals';
          const r = await as(user, 'POST', `/v1/wallet/${kind}`, { card_id: user.cardId, amount: '1.00', currency: 'CNY', request_id: requestId });
          const opId = r.body?.topup_id ?? r.body?.withdrawal_id;
          if (r.status < 300 && opId) acked.operations.push(opId);
        }
      } catch {
        return; // the server is gone
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
}

beforeAll(async () => {
  // The bank answers after a while, so the kill often lands while calls are out at the bank; it
  // declines some calls and answers some too late (executed, but the answer is lost to a timeout).
  const icbc = { code: 'ICBC', name: 'ICBC', latencyMs: 15, failureRate: 0.1, timeoutRate: 0.05, lateAnswerMs: 2_500 };
  bank = await startBankSimulator({ port: 0, clock: systemClock, banks: [icbc] });
  server = await startServerProcess({ ...env, FORMICA_BANK_URL: bank.url }, ['serve', '--no-demo']);
  for (let i = 0; i < USERS; i++) users.push(await newUser(i));
});

afterAll(async () => {
  await server?.kill('SIGKILL');
  await bank?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('crash and restart of the money steps', () => {
  it('leaves nothing half done: no started, reserved or pending operation, the bank agrees, limits match', async () => {
    const acked: Acknowledged = { transfers: [], operations: [] };
    for (let round = 0; round < ROUNDS; round++) {
      const running = load(round, acked);
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 800));
      await server.kill('SIGKILL');
      await running;
      server = await startServerProcess({ ...env, FORMICA_BANK_URL: bank.url }, ['serve', '--no-demo']);
    }
    expect(acked.transfers.length).toBeGreaterThan(10);
    expect(acked.operations.length).toBeGreaterThan(10);
    // Past the grace period: the resume pass settles what the bank knows and voids what it never heard of.
    const advanced = await admin('POST', '/v1/sandbox/clock', { advance_seconds: 600 });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    for (const id of acked.transfers) expect((await admin('GET', `/v1/ledger/transfers/${id}`)).status, id).toBe(200);
    await server.kill('SIGTERM');

    const db = new Database(path.join(dataDir, 'formica.db'), { readonly: true });
    db.defaultSafeIntegers(true);
    const count = (sql: string) => Number(db.prepare(sql).pluck().get() as bigint);
    expect(count("SELECT count(*) FROM wallet_transfers WHERE status = 'reserved'")).toBe(0);
    expect(count("SELECT count(*) FROM channel_operations WHERE status IN ('started', 'pending')")).toBe(0);
    // The usage is the sum of what the limits still count: every transfer not failed (its row is its
    // claim) and every other payment's counted claim.
    const counted = db
      .prepare(
        `SELECT user_id, day_key, sum(amount_minor) AS total FROM (
           SELECT user_id, day_key, amount_minor FROM wallet_transfers WHERE status <> 'failed'
           UNION ALL SELECT user_id, day_key, amount_minor FROM wallet_spending WHERE status = 'counted'
         ) GROUP BY user_id, day_key`,
      )
      .all() as { user_id: string; day_key: string; total: bigint }[];
    expect(counted.length).toBeGreaterThan(0);
    for (const row of counted) {
      const used = db.prepare('SELECT used_minor FROM wallet_usage WHERE user_id = ? AND period = ?').pluck().get(row.user_id, row.day_key) as bigint;
      expect(used, `${row.user_id} ${row.day_key}`).toBe(row.total);
    }
    // Formica and the bank tell the same story of every operation.
    const client = createBankClient({ baseUrl: bank.url, timeoutMs: 5_000 });
    const ops = db.prepare('SELECT op_id, status FROM channel_operations').all() as { op_id: string; status: string }[];
    db.close();
    for (const id of acked.operations)
      expect(
        ops.some((o) => o.op_id === id),
        id,
      ).toBe(true);
    for (const op of ops) {
      const answer = await client.query('ICBC', op.op_id);
      const atBank = answer.status === 'found' ? answer.operation.status : 'none';
      expect(`${op.op_id} ${op.status}`).toBe(`${op.op_id} ${atBank === 'succeeded' ? 'succeeded' : 'failed'}`);
    }
    const store = SqliteStore.open({ file: path.join(dataDir, 'formica.db') });
    const report = await verifyStore(store);
    await store.close();
    expect(report.problems).toEqual([]);
  });
});
