// Materializes log rows into the state file: one transaction per pass, holding the rows' accounts
// (each written once for the pass, fold-records.ts), transfers, pending states, failures and
// account history together with the new watermark, so a pass interrupted by a crash leaves
// nothing behind and the next one redoes it. Runs on the materializing worker thread
// (materializer-worker.ts), never on the writer's commit path.
// Transfers are written naming accounts by key; their history is indexed once HISTORY_PASS_TRANSFERS
// have gathered after `history_through`, in one sorted statement, so each history page is written
// once per many batches rather than once per batch.
import type Database from 'better-sqlite3';
import { ACCOUNT_COLUMNS } from '../../rows.ts';
import type { LogRecord } from '../../log/codec.ts';
import { foldRecords } from '../../log/fold-records.ts';
import { LogReader } from './log-rows.ts';
import { HISTORY_PASS_TRANSFERS, materializedThrough } from './state-file.ts';

type Db = Database.Database;

/** Log rows applied at most per pass, so one transaction stays bounded. */
const MAX_PASS_ROWS = 64;

export class StateWriter {
  private readonly s;
  private readonly log: LogReader;
  /** Account ids by key and keys by id, filled from the state file as keys are met. */
  private readonly ids = new Map<number, string>();
  private readonly keys = new Map<string, number>();

  /** `state` is the state file; `commit` a connection to the commit file, only read. */
  constructor(
    private readonly state: Db,
    commit: Db,
  ) {
    this.s = prepareStatements(state);
    this.log = new LogReader(commit);
  }

  /** Applies one pass of the rows after the watermark, up to `through`; returns the new watermark. */
  pass(through: number): number {
    return this.state
      .transaction(() => {
        let seq = materializedThrough(this.state);
        const records: LogRecord[] = [];
        for (const row of this.log.rows(seq, through, MAX_PASS_ROWS, (key) => this.idOf(key))) {
          // The next row may name the accounts this one creates.
          for (const { key, account } of row.record.newAccounts) this.named(key, account.id);
          records.push(row.record);
          seq = row.seq;
        }
        // Each account and pending state written once for the whole pass.
        if (records.length > 0) this.apply(foldRecords(records));
        this.indexHistory();
        this.s.setThrough.run(seq);
        return seq;
      })
      .immediate();
  }

  /** Passes until every row up to `through` is materialized; `progress` hears the watermark found
   *  (another process's worker may have gone that far already) and each new one. */
  catchUp(through: number, progress: (seq: number) => void = () => {}): number {
    let seq = materializedThrough(this.state);
    progress(seq);
    while (seq < through) {
      const next = this.pass(through);
      if (next === seq) throw new Error(`the log has no row after ${seq} up to ${through}`);
      seq = next;
      progress(seq);
    }
    return seq;
  }

  /** Once enough transfers wait past `history_through`, indexes them all. They follow every
   *  indexed one (the log is in timestamp order), so the statement appends to each account's run. */
  private indexHistory(): void {
    const from = this.s.historyThrough.get() as bigint;
    const waiting = this.s.unindexed.get(from, HISTORY_PASS_TRANSFERS) as { n: bigint; through: bigint | null };
    if (waiting.through === null || waiting.n < HISTORY_PASS_TRANSFERS) return;
    const through = this.s.lastTransfer.get() as bigint;
    this.s.fillHistory.run({ from, through });
    this.s.setHistoryThrough.run(through);
  }

  private idOf(key: number): string {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.s.idOf.get(key) as string | undefined;
      if (id === undefined) throw new Error(`log names account key ${key}, which no log row created`);
      this.named(key, id);
    }
    return id;
  }

  private named(key: number, id: string): void {
    this.ids.set(key, id);
    this.keys.set(id, key);
  }

  private apply(record: LogRecord): void {
    const { s, keys } = this;
    for (const { key, account: a } of record.newAccounts) {
      s.insertAccount.run(key, a.id, a.ledger, a.code, a.flags, a.userData, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.timestamp);
      this.named(key, a.id);
    }
    for (const a of record.afterImages) s.updateAccount.run(a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.key);
    for (const t of record.transfers) {
      s.insertTransfer.run(
        t.timestamp,
        t.id,
        keyOf(keys, t.debitAccountId),
        keyOf(keys, t.creditAccountId),
        t.amount,
        t.pendingId,
        t.timeout,
        t.ledger,
        t.code,
        t.flags,
        t.userData,
      );
    }
    for (const p of record.newPending) s.insertPending.run(p.id, p.status, p.expiresAt);
    for (const p of record.resolvedPending) s.resolvePending.run(p.status, p.id);
    for (const f of record.failures) s.insertFailure.run(f.id, f.result);
  }
}

/** Decoding named every account a transfer names, so each has its key by now. */
function keyOf(keys: Map<string, number>, id: string): number {
  const key = keys.get(id);
  if (key === undefined) throw new Error(`a transfer names account ${id}, which has no key`);
  return key;
}

/** Indexes the transfers with a timestamp in (@from, @through], sorted by (account key, timestamp)
 *  so the B-tree is written page by page; OR IGNORE keeps a rerun harmless. */
const FILL_HISTORY = `
  INSERT OR IGNORE INTO account_transfers (account_key, timestamp)
  SELECT account_key, timestamp FROM (
    SELECT debit_key AS account_key, timestamp FROM transfer_rows WHERE timestamp > @from AND timestamp <= @through
    UNION ALL
    SELECT credit_key AS account_key, timestamp FROM transfer_rows WHERE timestamp > @from AND timestamp <= @through
  ) ORDER BY account_key, timestamp`;

function prepareStatements(db: Db) {
  return {
    insertPending: db.prepare('INSERT INTO pending_transfers (id, status, expires_at) VALUES (?, ?, ?)'),
    resolvePending: db.prepare('UPDATE pending_transfers SET status = ? WHERE id = ?'),
    insertFailure: db.prepare('INSERT INTO failed_transfers (id, result) VALUES (?, ?)'),
    idOf: db.prepare('SELECT id FROM accounts WHERE key = ?').pluck(),
    setThrough: db.prepare('UPDATE state_meta SET materialized_through = ? WHERE id = 1'),
    insertAccount: db.prepare(`INSERT INTO accounts (key, ${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateAccount: db.prepare('UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE key = ?'),
    insertTransfer: db.prepare(
      'INSERT INTO transfer_rows (timestamp, id, debit_key, credit_key, amount, pending_id, timeout, ledger, code, flags, user_data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    lastTransfer: db.prepare('SELECT coalesce(max(timestamp), 0) FROM transfer_rows').pluck(),
    historyThrough: db.prepare('SELECT history_through FROM state_meta WHERE id = 1').pluck(),
    unindexed: db.prepare('SELECT count(*) AS n, max(timestamp) AS through FROM (SELECT timestamp FROM transfer_rows WHERE timestamp > ? LIMIT ?)'),
    setHistoryThrough: db.prepare('UPDATE state_meta SET history_through = ? WHERE id = 1'),
    fillHistory: db.prepare(FILL_HISTORY),
  };
}
