// Crash safety of log compaction: a child process writes transfers while a second store in it
// compacts the log over and over, and is killed with SIGKILL, three times. After each kill the
// store is reopened: every acknowledged transfer is there, no linked pair is half applied, `verify`
// is clean, and a state file rebuilt from the compacted log alone holds exactly the same ledger,
// every account's history included.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { stateFileOf } from '../src/store/sqlite/log/state-file.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { startWriterChild } from './support/writer-child.ts';

const ROUNDS = 3;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-compaction-crash-'));
const file = path.join(dir, 'formica.db');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Round {
  readonly acknowledged: string[];
  readonly chains: [string, string][];
  readonly compactedThrough: number;
}

/** Runs the child until it has acknowledged `atLeast` transfers and compacted twice, then kills it. */
async function crashRound(round: number, atLeast: number): Promise<Round> {
  let compactions = 0;
  let compactedThrough = 0;
  const writer = startWriterChild(path.join(import.meta.dirname, 'support/log-compacting-writer.ts'), [file, String(round)], (kind, a) => {
    if (kind !== 'compacted') return;
    compactions++;
    compactedThrough = Math.max(compactedThrough, Number(a));
  });
  await writer.until(() => writer.acknowledged.length >= atLeast && compactions >= 2 && compactedThrough > 0);
  await writer.kill();
  return { acknowledged: writer.acknowledged, chains: writer.chains, compactedThrough };
}

/** Every account, transfer and pending state, and every account's history, as plain data. */
async function ledger(store: SqliteStore) {
  const pages = async <T>(scan: AsyncIterable<T[]>) => {
    const all: T[] = [];
    for await (const page of scan) all.push(...page);
    return all;
  };
  const accounts = await pages(store.scanAccounts(1_000));
  const history: Record<string, string[]> = {};
  for (const account of accounts) {
    const ids: string[] = [];
    for (let after: bigint | undefined; ; ) {
      const page = await store.listAccountTransfers(account.id, { limit: 5_000, after });
      ids.push(...page.transfers.map((t) => t.id));
      if (page.next === null) break;
      after = page.next;
    }
    history[account.id] = ids;
  }
  return { accounts, transfers: await pages(store.scanTransfers(10_000)), pending: await pages(store.scanPendingStates(1_000)), history };
}

describe('log compaction crash and recovery', () => {
  it('keeps every acknowledged transfer and the same ledger through kills while compacting', { timeout: 300_000 }, async () => {
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await crashRound(round, 400 + Math.floor(Math.random() * 1_500)));
    expect(rounds.every((r) => r.compactedThrough > 0)).toBe(true);
    const store = SqliteStore.open({ file, layout: 'log' });
    const before = await ledger(store);
    const present = new Set(before.transfers.map((t) => t.id));
    for (const r of rounds) {
      for (const id of r.acknowledged) expect(present.has(id), id).toBe(true);
      for (const [a, b] of r.chains) expect(present.has(a), `${a} ${b}`).toBe(present.has(b));
    }
    const total = before.accounts.reduce((sum, a) => sum + a.debitsPosted, 0n);
    expect(total).toBe(BigInt(before.transfers.length));
    expect((await verifyStore(store)).problems).toEqual([]);
    await store.close();
    fs.rmSync(stateFileOf(file));
    const rebuilt = SqliteStore.open({ file, layout: 'log' });
    expect(await ledger(rebuilt)).toEqual(before);
    expect((await verifyStore(rebuilt)).problems).toEqual([]);
    await rebuilt.close();
  });
});
