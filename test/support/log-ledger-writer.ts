// A child process for the log layout's crash tests: opens the store in the log layout (the file at
// argv[2], or with argv[2] `postgres`, the PostgreSQL schema argv[4] of DATABASE_URL) and sends
// transfers from many concurrent callers until it is killed, printing `ack <id>` for every transfer
// acknowledged (after its group's commit is durable) and `chain <a> <b>` for each linked pair.
import { systemClock } from '../../src/engine/clock.ts';
import { LedgerEngine } from '../../src/engine/ledger-engine.ts';
import type { TransferEvent } from '../../src/ledger/index.ts';
import { TransferFlag } from '../../src/ledger/index.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const CRASH_ACCOUNTS = 40;
const CALLERS = 24;
const TRANSFERS_PER_CALL = 40;

const [place, round, schema] = process.argv.slice(2);
const store =
  place === 'postgres'
    ? await PostgresStore.open({ url: process.env.DATABASE_URL ?? '', schema, layout: 'log', poolSize: 4 })
    : SqliteStore.open({ file: place, layout: 'log' });
const engine = new LedgerEngine(store, systemClock);
const accounts = Array.from({ length: CRASH_ACCOUNTS }, (_, i) => ({ id: `acc${i}`, ledger: 156, code: 1, flags: 0, userData: '' }));
const created = await engine.createAccounts(accounts);
if (created.some((r) => r !== 'ok' && r !== 'exists')) throw new Error(`accounts: ${created.join(',')}`);
process.stdout.write('ready\n');

function move(id: string, n: number, flags: number): TransferEvent {
  const from = n % CRASH_ACCOUNTS;
  const to = (from + 1 + (n % (CRASH_ACCOUNTS - 1))) % CRASH_ACCOUNTS;
  return {
    id,
    debitAccountId: `acc${from}`,
    creditAccountId: `acc${to}`,
    amount: 1n,
    pendingId: null,
    timeout: 0,
    ledger: 156,
    code: 1,
    flags,
    userData: null,
  };
}

async function caller(c: number): Promise<void> {
  for (let call = 0; ; call++) {
    const prefix = `r${round}c${c}k${call}`;
    const events = Array.from({ length: TRANSFERS_PER_CALL }, (_, i) => move(`${prefix}n${i}`, c * 131 + call * 7 + i, i % 2 === 0 ? TransferFlag.linked : 0));
    const results = await engine.createTransfers(events);
    const lines = events.map((e, i) => (results[i] === 'ok' ? `ack ${e.id}\n` : '')).join('');
    const chains = events.flatMap((e, i) => (i % 2 === 0 ? [`chain ${e.id} ${events[i + 1].id}\n`] : [])).join('');
    process.stdout.write(chains + lines);
  }
}

await Promise.all(Array.from({ length: CALLERS }, (_, c) => caller(c)));
