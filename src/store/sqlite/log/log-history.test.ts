// The log layout's account history past one history pass: the state file indexes history only once
// HISTORY_PASS_TRANSFERS have gathered, and reads merge the index with the transfers after it. Every
// page, filter and window must answer exactly what the tables layout answers for the same writes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../engine/clock.ts';
import { LedgerEngine } from '../../../engine/ledger-engine.ts';
import type { Transfer, TransferEvent } from '../../../ledger/index.ts';
import type { TransferQuery } from '../../store.ts';
import { type SqliteLayout, SqliteStore } from '../sqlite-store.ts';
import { HISTORY_PASS_TRANSFERS, stateFileOf } from './state-file.ts';

const ACCOUNTS = 12;
const BATCH = 8_189;
const BATCHES = Math.ceil(HISTORY_PASS_TRANSFERS / BATCH) + 1;
const ids = Array.from({ length: ACCOUNTS }, (_, i) => `acct-${i}`);

/** The same transfers for both layouts: a fixed pseudo-random walk, several codes and user data. */
function batches(): TransferEvent[][] {
  let x = 12_345;
  const next = (n: number) => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x % n;
  };
  return Array.from({ length: BATCHES }, (_, b) =>
    Array.from({ length: BATCH }, (_, i) => {
      const debit = next(ACCOUNTS);
      const credit = (debit + 1 + next(ACCOUNTS - 1)) % ACCOUNTS;
      const code = 1 + next(3);
      return {
        id: `t-${b}-${i}`,
        debitAccountId: ids[debit],
        creditAccountId: ids[credit],
        amount: BigInt(1 + next(1_000)),
        pendingId: null,
        timeout: 0,
        ledger: 1,
        code,
        flags: 0,
        userData: next(2) ? 'x' : null,
      };
    }),
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-history-'));
const stores: Partial<Record<SqliteLayout, SqliteStore>> = {};

beforeAll(async () => {
  const writes = batches();
  for (const layout of ['tables', 'log'] as const) {
    const store = SqliteStore.open({ file: path.join(dir, `${layout}.db`), layout });
    const engine = new LedgerEngine(store, new ManualClock());
    await engine.createAccounts(ids.map((id) => ({ id, ledger: 1, code: 1, flags: 0, userData: '' })));
    for (const batch of writes) expect(new Set(await engine.createTransfers(batch))).toEqual(new Set(['ok']));
    await engine.drained();
    await store.caughtUp();
    stores[layout] = store;
  }
}, 300_000);

afterAll(async () => {
  for (const store of Object.values(stores)) await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every page of a query, following `after` from page to page. */
async function pages(store: SqliteStore, account: string, query: Omit<TransferQuery, 'after'>): Promise<Transfer[][]> {
  const all: Transfer[][] = [];
  let after: bigint | undefined;
  for (;;) {
    const page = await store.listAccountTransfers(account, { ...query, after });
    all.push(page.transfers);
    if (page.transfers.length < query.limit) return all;
    after = page.transfers[page.transfers.length - 1].timestamp;
  }
}

describe('log layout account history across a history pass', () => {
  it('indexes a pass of history and reads it, merged with the transfers after it, as the tables layout does', async () => {
    const { tables, log } = stores as Record<SqliteLayout, SqliteStore>;
    const state = new Database(stateFileOf(path.join(dir, 'log.db')), { readonly: true });
    state.defaultSafeIntegers(true);
    const meta = state.prepare('SELECT history_through, (SELECT max(timestamp) FROM transfer_rows) AS last FROM state_meta').get() as {
      history_through: bigint;
      last: bigint;
    };
    state.close();
    // Part of the history is indexed, and part waits after it: reads cross from one to the other.
    expect(meta.history_through).toBeGreaterThan(0n);
    expect(meta.history_through).toBeLessThan(meta.last);
    const middle = meta.history_through;
    const queries: Omit<TransferQuery, 'after'>[] = [
      { limit: 997 },
      { limit: 500, code: 2 },
      { limit: 300, userData: 'x' },
      { limit: 250, until: middle + 5_000n },
      { limit: 100, until: middle - 3n, code: 3 },
    ];
    for (const account of ids) {
      for (const query of queries) expect(await pages(log, account, query)).toEqual(await pages(tables, account, query));
      const around = { limit: 50, after: middle - 400n, until: middle + 400n };
      expect(await log.listAccountTransfers(account, around)).toEqual(await tables.listAccountTransfers(account, around));
    }
    expect(await log.listAccountTransfers('no-such-account', { limit: 10 })).toEqual(await tables.listAccountTransfers('no-such-account', { limit: 10 }));
    expect(await log.counts()).toEqual(await tables.counts());
  });
});
