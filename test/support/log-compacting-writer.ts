// A child process for the log compaction crash test: the crash test's writer (log-ledger-writer.ts,
// same arguments) sends transfers from many callers, while a second store on the same file, as
// `formica ledger compact` beside a server would, first moves money once between two accounts of
// its round and then compacts the log over and over, printing
// `compacted <through>` after each run, until the process is killed.
import { systemClock } from '../../src/engine/clock.ts';
import { LedgerEngine } from '../../src/engine/ledger-engine.ts';
import { compactLog } from '../../src/store/sqlite/log/log-compaction.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const [file, round] = process.argv.slice(2);
const operator = SqliteStore.open({ file, layout: 'log' });
// Two accounts of this round, moved once and never again: only compacted rows hold their balances.
const engine = new LedgerEngine(operator, systemClock);
const pair = ['x', 'y'].map((side) => ({ id: `r${round}${side}`, ledger: 156, code: 1, flags: 0, userData: '' }));
if ((await engine.createAccounts(pair)).some((r) => r !== 'ok')) throw new Error('the round accounts exist already');
const once = { id: `r${round}once`, debitAccountId: pair[0].id, creditAccountId: pair[1].id, amount: 1n, pendingId: null, timeout: 0, ledger: 156, code: 1 };
const [result] = await engine.createTransfers([{ ...once, flags: 0, userData: null }]);
if (result !== 'ok') throw new Error(`the round transfer: ${result}`);
process.stdout.write(`ack ${once.id}\n`);
// The writer runs at its module's top level, for ever: its import is not awaited.
void import('./log-ledger-writer.ts');
for (;;) {
  const report = await compactLog(operator, { retainRows: 1, chunkRows: 2 });
  process.stdout.write(`compacted ${report.through}\n`);
  // A run with nothing to compact never leaves the microtask queue: let the writer's I/O in.
  await new Promise((resolve) => setImmediate(resolve));
}
