// The SQLite store's in-process cache never answers with state another writer has changed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag, type TransferEvent } from '../../ledger/index.ts';
import { SqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-cache-'));
  dirs.push(dir);
  return path.join(dir, 'ledger.db');
}

function move(id: string, from: string, to: string, amount: bigint): TransferEvent {
  return { id, debitAccountId: from, creditAccountId: to, amount, pendingId: null, timeout: 0, ledger: 840, code: 1, flags: 0, userData: null };
}

/** A store with a funded wallet (10) and a shop, the wallet's balance already cached. */
async function funded(file: string) {
  const store = SqliteStore.open({ file, layout: 'tables' });
  const engine = new LedgerEngine(store, new ManualClock());
  const accounts = [
    { id: 'bank', ledger: 840, code: 1, flags: 0, userData: '' },
    { id: 'wallet', ledger: 840, code: 1, flags: AccountFlag.debits_must_not_exceed_credits, userData: '' },
    { id: 'shop', ledger: 840, code: 1, flags: 0, userData: '' },
  ];
  expect(await engine.createAccounts(accounts)).toEqual(['ok', 'ok', 'ok']);
  expect(await engine.createTransfers([move('fund', 'bank', 'wallet', 10n)])).toEqual(['ok']);
  return { store, engine };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('SQLite write cache', () => {
  it('reloads accounts written through the same connection outside a batch', async () => {
    const { store, engine } = await funded(tempFile());
    store.db.prepare("UPDATE accounts SET credits_posted = 3 WHERE id = 'wallet'").run();
    expect(await engine.createTransfers([move('spend', 'wallet', 'shop', 5n)])).toEqual(['exceeds_credits']);
    expect(await engine.createTransfers([move('spend-2', 'wallet', 'shop', 3n)])).toEqual(['ok']);
    await store.close();
  });

  it('reloads accounts another connection committed', async () => {
    const file = tempFile();
    const first = await funded(file);
    const second = SqliteStore.open({ file, layout: 'tables' });
    const other = new LedgerEngine(second, new ManualClock());
    expect(await other.createTransfers([move('spend-a', 'wallet', 'shop', 8n)])).toEqual(['ok']);
    expect(await first.engine.createTransfers([move('spend-b', 'wallet', 'shop', 8n)])).toEqual(['exceeds_credits']);
    expect((await first.store.getAccount('wallet'))?.debitsPosted).toBe(8n);
    await second.close();
    await first.store.close();
  });

  it('answers id_already_failed once a failure exists, whoever recorded it', async () => {
    const file = tempFile();
    const first = await funded(file);
    const second = SqliteStore.open({ file, layout: 'tables' });
    const other = new LedgerEngine(second, new ManualClock());
    expect(await other.createTransfers([move('over', 'wallet', 'shop', 99n)])).toEqual(['exceeds_credits']);
    expect(await first.engine.createTransfers([move('over', 'wallet', 'shop', 1n)])).toEqual(['id_already_failed']);
    await second.close();
    await first.store.close();
  });

  it('keeps nothing of a batch that did not commit', async () => {
    const { store, engine } = await funded(tempFile());
    const keys = { accountIds: new Set(['wallet', 'shop']), transferIds: new Set(['boom']) };
    const failing = store.writeBatch(keys, (snapshot) => {
      const wallet = snapshot.accounts.get('wallet');
      if (wallet) wallet.creditsPosted += 1_000n;
      throw new Error('compute failed');
    });
    await expect(failing).rejects.toThrow('compute failed');
    expect(await engine.createTransfers([move('spend', 'wallet', 'shop', 11n)])).toEqual(['exceeds_credits']);
    await store.close();
  });
});
