// An account's history page read with the transfers not indexed yet at their deepest (not part of
// `npm run bench`):  tsx bench/history.ts [reads]
// The log layout indexes history in passes of 65,536 transfers, and a read merges the index with
// the materialized transfers after it by scanning them. This commits one whole pass (indexed), reads
// history pages of random accounts, then commits 65,535 more (one short of the next pass: the
// deepest unindexed run there can be) and reads again; the `tables` layout, its catch-up run to
// the end, is the same-run baseline. Prints p50/p99 of one page of 20 transfers for each.
import { performance } from 'node:perf_hooks';
import { MAX_BATCH_EVENTS } from '../src/ledger/index.ts';
import type { SqliteLayout } from '../src/store/sqlite/sqlite-ledger.ts';
import { type Fixture, sqliteFixture } from './fixture.ts';
import { integer, percentile } from './report.ts';
import { ACCOUNT_COUNT, type Workload, workload } from './workload.ts';

const PASS = 65_536;
const PAGE = 20;
const reads = Number(process.argv[2] ?? 2_000);

async function commit(fx: Fixture, load: Workload, count: number): Promise<void> {
  for (let done = 0; done < count; done += MAX_BATCH_EVENTS) {
    const results = await fx.engine.createTransfers(load.transfers(Math.min(MAX_BATCH_EVENTS, count - done)));
    if (results.some((r) => r !== 'ok')) throw new Error('a bench transfer was refused');
  }
  await fx.settle();
}

/** Milliseconds per page read, for `reads` random accounts. */
async function readPages(fx: Fixture, accountIds: readonly string[]): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < reads; i++) {
    const id = accountIds[Math.floor(Math.random() * accountIds.length)];
    const started = performance.now();
    const page = await fx.store.listAccountTransfers(id, { limit: PAGE });
    times.push(performance.now() - started);
    if (page.transfers.length === 0) throw new Error(`account ${id} has no history`);
  }
  return times.sort((a, b) => a - b);
}

async function measure(layout: SqliteLayout): Promise<string[]> {
  const load = workload('uniform');
  const fx = await sqliteFixture(load, undefined, layout);
  const rows: string[] = [];
  try {
    const row = (depth: string, times: number[]) =>
      rows.push(
        `| ${layout.padEnd(6)} | ${depth.padEnd(37)} | ${integer(reads)} | ${percentile(times, 0.5)?.toFixed(2)} | ${percentile(times, 0.99)?.toFixed(2)} |`,
      );
    await commit(fx, load, PASS);
    row(`${integer(PASS)} committed, all indexed`, await readPages(fx, load.accountIds));
    await commit(fx, load, PASS - 1);
    row(`${integer(2 * PASS - 1)} committed, ${layout === 'log' ? integer(PASS - 1) : '0'} not indexed`, await readPages(fx, load.accountIds));
  } finally {
    await fx.dispose();
  }
  return rows;
}

const rows = [...(await measure('tables')), ...(await measure('log'))];
console.log(`history page reads: ${integer(reads)} pages of ${PAGE} per row, random accounts of ${integer(ACCOUNT_COUNT)}, uniform transfers`);
console.log('| layout | transfers                             | reads | p50 ms | p99 ms |');
console.log('|--------|---------------------------------------|-------|--------|--------|');
for (const row of rows) console.log(row);
