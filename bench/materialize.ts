// The log layout's materialization alone, on this thread (not part of `npm run bench`):
//   tsx bench/materialize.ts [batches] [transfers per batch] [accounts] [--rows-per-pass=N]
// Builds a commit file holding only `ledger_log` (one row creating the accounts, then `batches`
// rows of uniform transfers between them, time-ordered ids), then materializes it into a fresh
// state file with the worker's code (state-writer.ts), one pass per log row as the worker runs
// when it trails by one batch (or N rows per pass, as when it trails by N), and prints transfers/s. The same rows are also materialized by the
// state file's first schema and statements (`before`, kept here only as the baseline), in the same
// run. Besides the time it prints the process's CPU time and the bytes it wrote to disk (from
// /proc/self/io, where there is one), which a machine shared with other work disturbs far less.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ulidIds } from '../src/engine/ids.ts';
import type { Transfer } from '../src/ledger/index.ts';
import { ACCOUNT_COLUMNS, TRANSFER_COLUMNS } from '../src/store/rows.ts';
import { FILL_ACCOUNT_HISTORY } from '../src/store/sqlite/account-index.ts';
import { openConnection } from '../src/store/sqlite/connection.ts';
import { type AfterImage, encodeRecord, type KeyedAccount, type LogRecord } from '../src/store/log/codec.ts';
import { LogReader } from '../src/store/sqlite/log/log-rows.ts';
import { openStateDatabase } from '../src/store/sqlite/log/state-file.ts';
import { StateWriter } from '../src/store/sqlite/log/state-writer.ts';

const rowsPerPass = Number(process.argv.find((a) => a.startsWith('--rows-per-pass='))?.split('=')[1] ?? 1);
const [batches = 60, perBatch = 8_189, accountCount = 100_000] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'))
  .map(Number);

/** A commit file with the log rows alone; returns the transfers written. */
function writeLog(file: string): number {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE ledger_meta (id INTEGER PRIMARY KEY, log_seq INTEGER NOT NULL);
    INSERT INTO ledger_meta VALUES (1, 0);
    CREATE TABLE ledger_log (seq INTEGER PRIMARY KEY, last_timestamp INTEGER NOT NULL, accounts BLOB NOT NULL,
      transfers BLOB NOT NULL, pending BLOB NOT NULL, failures BLOB NOT NULL);`);
  const append = db.prepare('INSERT INTO ledger_log VALUES (?, ?, ?, ?, ?, ?)');
  let now = 1_750_000_000_000;
  const ids = ulidIds({ now: () => now });
  let timestamp = BigInt(now) * 1_000_000n;
  const accounts: KeyedAccount[] = [];
  const keyOf = new Map<string, number>();
  for (let key = 1; key <= accountCount; key++) {
    const id = ids.next('acc');
    keyOf.set(id, key);
    const account = { id, ledger: 156, code: 1, flags: 0, userData: '', debitsPending: 0n, debitsPosted: 0n, creditsPending: 0n, creditsPosted: 0n };
    accounts.push({ key, account: { ...account, timestamp: ++timestamp } });
  }
  const balances = accounts.map(() => ({ debits: 0n, credits: 0n }));
  const write = (seq: number, record: Omit<LogRecord, 'newPending' | 'resolvedPending' | 'failures' | 'lastTimestamp'>) => {
    const full: LogRecord = { ...record, newPending: [], resolvedPending: [], failures: [], lastTimestamp: timestamp };
    const blobs = encodeRecord(full, (id) => keyOf.get(id) as number);
    append.run(seq, timestamp, blobs.accounts, blobs.transfers, blobs.pending, blobs.failures);
  };
  db.transaction(() => {
    write(1, { newAccounts: accounts, afterImages: [], transfers: [] });
    for (let seq = 2; seq <= batches + 1; seq++) {
      now += 100;
      const transfers: Transfer[] = [];
      const touched = new Set<number>();
      for (let i = 0; i < perBatch; i++) {
        const debit = Math.floor(Math.random() * accountCount);
        let credit = Math.floor(Math.random() * accountCount);
        while (credit === debit) credit = Math.floor(Math.random() * accountCount);
        const amount = BigInt(1 + Math.floor(Math.random() * 10_000));
        balances[debit].debits += amount;
        balances[credit].credits += amount;
        touched.add(debit).add(credit);
        const [d, c] = [accounts[debit].account.id, accounts[credit].account.id];
        transfers.push({
          id: ids.next('trf'),
          debitAccountId: d,
          creditAccountId: c,
          amount,
          pendingId: '',
          timeout: 0,
          ledger: 156,
          code: 1,
          flags: 0,
          userData: '',
          timestamp: ++timestamp,
        });
      }
      const afterImages: AfterImage[] = [...touched].map((i) => ({
        key: i + 1,
        flags: 0,
        debitsPending: 0n,
        debitsPosted: balances[i].debits,
        creditsPending: 0n,
        creditsPosted: balances[i].credits,
      }));
      write(seq, { newAccounts: [], afterImages, transfers });
    }
    db.prepare('UPDATE ledger_meta SET log_seq = ?').run(batches + 1);
  })();
  db.close();
  return batches * perBatch;
}

interface Variant {
  readonly name: string;
  open(stateFile: string, commit: Database.Database): { pass(through: number): number; close(): void };
}

const current: Variant = {
  name: 'after',
  open(stateFile, commit) {
    const state = openStateDatabase(stateFile, 'writer');
    const writer = new StateWriter(state, commit);
    return { pass: (through) => writer.pass(through), close: () => state.close() };
  },
};

/** The state file's first schema (version 1): transfers and history naming accounts by text id,
 *  history indexed in every pass, checkpoints every 1,000 pages. */
const BEFORE_SCHEMA = `
  CREATE TABLE state_meta (id INTEGER PRIMARY KEY CHECK (id = 1), materialized_through INTEGER NOT NULL);
  INSERT INTO state_meta (id, materialized_through) VALUES (1, 0);
  CREATE TABLE accounts (key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, ledger INTEGER NOT NULL, code INTEGER NOT NULL, flags INTEGER NOT NULL,
    user_data TEXT NOT NULL, debits_pending INTEGER NOT NULL, debits_posted INTEGER NOT NULL, credits_pending INTEGER NOT NULL,
    credits_posted INTEGER NOT NULL, timestamp INTEGER NOT NULL);
  CREATE TABLE transfers (timestamp INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, debit_account_id TEXT NOT NULL, credit_account_id TEXT NOT NULL,
    amount INTEGER NOT NULL, pending_id TEXT NOT NULL, timeout INTEGER NOT NULL, ledger INTEGER NOT NULL, code INTEGER NOT NULL, flags INTEGER NOT NULL,
    user_data TEXT NOT NULL);
  CREATE TABLE pending_transfers (id TEXT PRIMARY KEY, status TEXT NOT NULL, expires_at INTEGER NOT NULL);
  CREATE TABLE failed_transfers (id TEXT PRIMARY KEY, result TEXT NOT NULL);
  CREATE TABLE account_transfers (account_id TEXT NOT NULL, timestamp INTEGER NOT NULL, PRIMARY KEY (account_id, timestamp)) WITHOUT ROWID;`;

/** The first worker's pass (no pending states or failures in this workload), as the baseline. */
const before: Variant = {
  name: 'before',
  open(stateFile, commit) {
    const state = openConnection(stateFile, 'writer');
    state.pragma('synchronous = NORMAL');
    state.exec(BEFORE_SCHEMA);
    const s = {
      insertAccount: state.prepare(`INSERT INTO accounts (key, ${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateAccount: state.prepare(
        'UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE key = ?',
      ),
      insertTransfer: state.prepare(`INSERT INTO transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      lastTransfer: state.prepare('SELECT coalesce(max(timestamp), 0) FROM transfers').pluck(),
      fillHistory: state.prepare(FILL_ACCOUNT_HISTORY),
      through: state.prepare('SELECT materialized_through FROM state_meta WHERE id = 1').pluck(),
      setThrough: state.prepare('UPDATE state_meta SET materialized_through = ? WHERE id = 1'),
    };
    const log = new LogReader(commit);
    const ids = new Map<number, string>();
    const pass = (through: number) =>
      state
        .transaction(() => {
          let seq = Number(s.through.get() as bigint);
          const from = s.lastTransfer.get() as bigint;
          for (const row of log.rows(seq, through, 64, (key) => ids.get(key) as string)) {
            for (const { key, account: a } of row.record.newAccounts) {
              s.insertAccount.run(
                key,
                a.id,
                a.ledger,
                a.code,
                a.flags,
                a.userData,
                a.debitsPending,
                a.debitsPosted,
                a.creditsPending,
                a.creditsPosted,
                a.timestamp,
              );
              ids.set(key, a.id);
            }
            for (const a of row.record.afterImages) s.updateAccount.run(a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.key);
            for (const t of row.record.transfers)
              s.insertTransfer.run(
                t.id,
                t.debitAccountId,
                t.creditAccountId,
                t.amount,
                t.pendingId,
                t.timeout,
                t.ledger,
                t.code,
                t.flags,
                t.userData,
                t.timestamp,
              );
            seq = row.seq;
          }
          s.fillHistory.run({ from, through: s.lastTransfer.get() as bigint });
          s.setThrough.run(seq);
          return seq;
        })
        .immediate();
    return { pass, close: () => state.close() };
  },
};

/** Bytes this process has had written to disk so far, or null where the kernel does not say. */
function bytesWritten(): number | null {
  try {
    const line = fs
      .readFileSync('/proc/self/io', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('write_bytes:'));
    return line ? Number(line.split(':')[1]) : null;
  } catch {
    return null;
  }
}

function run(variant: Variant, dir: string, commitFile: string, transfers: number): void {
  const stateFile = path.join(dir, `${variant.name}-state.db`);
  const commit = new Database(commitFile, { readonly: true });
  commit.defaultSafeIntegers(true);
  const writer = variant.open(stateFile, commit);
  let started = performance.now();
  writer.pass(1);
  const accountsMs = performance.now() - started;
  const cpu = process.cpuUsage();
  const written = bytesWritten();
  started = performance.now();
  for (let seq = 2; seq <= batches + 1; seq += rowsPerPass) writer.pass(Math.min(seq + rowsPerPass - 1, batches + 1));
  const ms = performance.now() - started;
  const cpuMs = (({ user, system }) => (user + system) / 1000)(process.cpuUsage(cpu));
  const wrote = written === null ? null : (bytesWritten() as number) - written;
  writer.close();
  commit.close();
  const size = ['', '-wal'].reduce((sum, s) => sum + (fs.existsSync(stateFile + s) ? fs.statSync(stateFile + s).size : 0), 0);
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
  console.log(
    `${variant.name.padEnd(7)} accounts ${accountsMs.toFixed(0).padStart(5)} ms | transfers ${ms.toFixed(0).padStart(6)} ms, ` +
      `${(ms / batches).toFixed(1).padStart(6)} ms/batch, ${Math.round(transfers / (ms / 1000))
        .toLocaleString('en-US')
        .padStart(8)} transfers/s, CPU ${cpuMs.toFixed(0).padStart(6)} ms, ` +
      `written ${wrote === null ? '-' : mib(wrote)} | state file ${mib(size)}`,
  );
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-materialize-'));
try {
  const commitFile = path.join(dir, 'formica.db');
  const transfers = writeLog(commitFile);
  console.log(
    `${batches} log rows of ${perBatch.toLocaleString('en-US')} transfers over ${accountCount.toLocaleString('en-US')} accounts, ${rowsPerPass} row(s) per pass, ` +
      `one thread; Node.js ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  for (const variant of [before, current]) run(variant, dir, commitFile, transfers);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
