// Crash safety of the SQLite log layout: a child process writing through the engine is killed
// with SIGKILL while groups commit and fsync and while its worker materializes the log, four times.
// After each kill the store is reopened from the log: every acknowledged transfer is there, no
// linked chain is half applied, the auditor and the log's fold agree with the writer's memory and
// the state file, and a state file rebuilt from the log alone holds exactly the same ledger.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyStore } from '../src/engine/verify.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { startWriterChild } from './support/writer-child.ts';
import { stateFileOf } from '../src/store/sqlite/log/state-file.ts';

const ROUNDS = 4;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-log-crash-'));
const file = path.join(dir, 'formica.db');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Round {
  readonly acknowledged: string[];
  readonly chains: [string, string][];
}

/** Runs the writer until it has acknowledged `atLeast` transfers, then kills it mid-flight. */
async function crashRound(round: number, atLeast: number): Promise<Round & { stateBehind: boolean }> {
  const writer = startWriterChild(path.join(import.meta.dirname, 'support/log-ledger-writer.ts'), [file, String(round)]);
  await writer.until(() => writer.acknowledged.length >= atLeast);
  const stateBehind = materializedThrough() < logSeq();
  await writer.kill();
  return { acknowledged: writer.acknowledged, chains: writer.chains, stateBehind };
}

function logSeq(): number {
  const db = new Database(file, { readonly: true });
  try {
    return Number(db.prepare('SELECT log_seq FROM ledger_meta').pluck().get());
  } finally {
    db.close();
  }
}

function materializedThrough(): number {
  if (!fs.existsSync(stateFileOf(file))) return 0;
  const db = new Database(stateFileOf(file), { readonly: true });
  try {
    return Number(db.prepare('SELECT materialized_through FROM state_meta').pluck().get());
  } finally {
    db.close();
  }
}

/** Every transfer, account and pending state, as plain data. */
async function ledger(store: SqliteStore) {
  const pages = async <T>(scan: AsyncIterable<T[]>) => {
    const all: T[] = [];
    for await (const page of scan) all.push(...page);
    return all;
  };
  return {
    accounts: await pages(store.scanAccounts(1_000)),
    transfers: await pages(store.scanTransfers(10_000)),
    pending: await pages(store.scanPendingStates(1_000)),
  };
}

describe('log layout crash and recovery', () => {
  it('keeps every acknowledged transfer through kills during commit, fsync and materialization', async () => {
    const rounds: (Round & { stateBehind: boolean })[] = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await crashRound(round, 400 + Math.floor(Math.random() * 2_000)));
    // The worker trails the writer: a kill lands while rows wait to be materialized.
    expect(rounds.some((r) => r.stateBehind)).toBe(true);
    const store = SqliteStore.open({ file, layout: 'log' });
    const before = await ledger(store);
    const present = new Set(before.transfers.map((t) => t.id));
    for (const r of rounds) {
      for (const id of r.acknowledged) expect(present.has(id), id).toBe(true);
      for (const [a, b] of r.chains) expect(present.has(a), `${a} ${b}`).toBe(present.has(b));
    }
    const report = await verifyStore(store);
    await store.close();
    expect(report.problems).toEqual([]);
    // Memory and the state file rebuilt from the log alone hold what the materialized state held.
    fs.rmSync(stateFileOf(file));
    const rebuilt = SqliteStore.open({ file, layout: 'log' });
    expect(await ledger(rebuilt)).toEqual(before);
    expect((await verifyStore(rebuilt)).problems).toEqual([]);
    await rebuilt.close();
  });
});
