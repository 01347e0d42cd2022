// Secrets at rest: the data directory private to its owner (0700, files 0600, SQLite's WAL too),
// the banks' debit tokens sealed with the data key (and clear ones from earlier versions sealed at
// start), /metrics for the operator only, and an operator token under 32 characters refused.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { loadDataKey } from '../src/engine/data-key.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { CardService } from '../src/modules/cards/cards.ts';
import { send } from './support/http.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('the data directory', () => {
  it('is 0700 with every file 0600 on the embedded store, the WAL included, after real writes', async () => {
    const server = await startTestServer({ store: 'sqlite' });
    try {
      const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone: '13811110000', password: 'correct horse', name: 'Files' });
      expect(reg.status).toBe(201);
      const files = fs.readdirSync(server.dataDir);
      expect(files).toEqual(expect.arrayContaining(['formica.db', 'formica.db-wal', 'data-key']));
      expect(mode(server.dataDir)).toBe(0o700);
      for (const file of files) expect([file, mode(path.join(server.dataDir, file))]).toEqual([file, 0o600]);
    } finally {
      await server.close();
    }
  });

  it('closes files an earlier version left readable, at start', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'formica-old-')), 'data');
    fs.mkdirSync(path.join(dataDir, 'nested'), { recursive: true, mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'operator-token.sha256'), 'ab', { mode: 0o644 });
    fs.writeFileSync(path.join(dataDir, 'nested', 'state.json'), '{}', { mode: 0o644 });
    const app = await createFormica({ dataDir, runJobs: false, clock: new ManualClock() });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(dataDir, 'nested'))).toBe(0o700);
      expect(mode(path.join(dataDir, 'operator-token.sha256'))).toBe(0o600);
      expect(mode(path.join(dataDir, 'nested', 'state.json'))).toBe(0o600);
    } finally {
      await app.close();
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  });
});

describe('the operator token', () => {
  it('refuses to start with FORMICA_ADMIN_TOKEN shorter than 32 characters', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-token-'));
    try {
      const env = { ...process.env, FORMICA_DATA_DIR: dataDir, FORMICA_ADMIN_TOKEN: 'x'.repeat(31), DATABASE_URL: '', PORT: '0' };
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--no-demo'], { env, encoding: 'utf8', timeout: 60_000 });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('FORMICA_ADMIN_TOKEN must be at least 32 characters');
      expect(fs.existsSync(path.join(dataDir, 'formica.db'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe.each(storesUnderTest())('bank tokens at rest (%s)', (store) => {
  let bank: RunningBankSimulator;
  let server: TestServer;
  let user = { id: '', phone: '', token: '' };
  let cardId = '';

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: new ManualClock(), port: 0 });
    server = await startTestServer({ store, bankUrl: bank.url, bankTimeoutMs: 2000 });
    const phone = store === 'sqlite' ? '13822220001' : '13822220002';
    const reg = await send(`${server.url}/v1/users`, undefined, 'POST', { phone, password: 'correct horse', name: 'Token User' });
    const login = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone, password: 'correct horse' });
    user = { id: reg.body.user_id, phone, token: login.body.token };
    const started = await send(`${server.url}/v1/cards`, user.token, 'POST', {
      bank: 'ICBC',
      card_no: CARD_A,
      name: 'Li Lei',
      id_no: '110101199001011234',
      phone,
    });
    const sms = await send(`${bank.url}/sim/sms?phone=${phone}`, undefined, 'GET');
    const confirmed = await send(`${server.url}/v1/cards/${started.body.card_id}/confirm`, user.token, 'POST', { sms_code: sms.body.messages[0].code });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    cardId = started.body.card_id;
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  const storedToken = async () => (await server.app.sql.get<{ token: string }>('SELECT token FROM card_channels WHERE card_id = ?', [cardId]))!.token;
  const topup = (requestId: string) =>
    send(`${server.url}/v1/wallet/topups`, user.token, 'POST', { card_id: cardId, amount: '10.00', currency: 'CNY', request_id: requestId });

  it('stores the bank token sealed, bound to its row, and still pays with it', async () => {
    const stored = await storedToken();
    expect(stored).toMatch(/^v1:[0-9a-f]{8}:/);
    const key = loadDataKey(server.dataDir, {});
    const clear = key.open(stored, `card_channels/${cardId}/ICBC`);
    expect(clear.length).toBeGreaterThan(0);
    expect(stored).not.toContain(clear);
    expect(() => key.open(stored, `card_channels/${cardId}/CCB`)).toThrow();
    expect((await topup('sealed-1')).body).toMatchObject({ status: 'succeeded' });
  });

  it('seals a token an earlier version stored in clear, at start', async () => {
    const key = loadDataKey(server.dataDir, {});
    const clear = key.open(await storedToken(), `card_channels/${cardId}/ICBC`);
    await server.app.sql.run('UPDATE card_channels SET token = ? WHERE card_id = ?', [clear, cardId]);
    const { sql: db, bank: client, clock, ids } = server.app;
    await CardService.open({ db, bank: client, clock, ids, fingerprint: (n) => n, feeOf: () => 0, dataKey: key });
    const resealed = await storedToken();
    expect(key.isSealed(resealed)).toBe(true);
    expect(key.open(resealed, `card_channels/${cardId}/ICBC`)).toBe(clear);
    expect((await topup('sealed-2')).body).toMatchObject({ status: 'succeeded' });
  });
});
