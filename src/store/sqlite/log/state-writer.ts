// Materializes log rows into the state file: one transaction per pass, holding the rows' accounts,
// transfers, pending states, failures and account history together with the new watermark, so a
// pass interrupted by a crash leaves nothing behind and the next one redoes it. Runs on the
// materializing worker thread (materializer-worker.ts), never on the writer's commit path.
import type Database from 'better-sqlite3';
import { ACCOUNT_COLUMNS } from '../../rows.ts';
import { FILL_ACCOUNT_HISTORY } from '../account-index.ts';
import { ledgerRowWrites } from '../ledger-rows.ts';
import type { LogRecord } from './codec.ts';
import { LogReader } from './log-rows.ts';
import { materializedThrough } from './state-file.ts';

type Db = Database.Database;

/** Log rows applied at most per pass, so one transaction stays bounded. */
const MAX_PASS_ROWS = 64;

export class StateWriter {
  private readonly s;
  private readonly log: LogReader;
  /** Account ids by key, filled from the state file as keys are met. */
  private readonly ids = new Map<number, string>();

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
        const from = this.s.lastTransfer.get() as bigint;
        for (const row of this.log.rows(seq, through, MAX_PASS_ROWS, (key) => this.idOf(key))) {
          this.apply(row.record);
          seq = row.seq;
        }
        // The pass's transfers follow every earlier one (the log is in timestamp order): their
        // history is indexed in one sorted statement, as the tables layout's catch-up does.
        this.s.fillHistory.run({ from, through: this.s.lastTransfer.get() as bigint });
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

  private idOf(key: number): string {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.s.idOf.get(key) as string | undefined;
      if (id === undefined) throw new Error(`log names account key ${key}, which no log row created`);
      this.ids.set(key, id);
    }
    return id;
  }

  private apply(record: LogRecord): void {
    const s = this.s;
    for (const { key, account: a } of record.newAccounts) {
      s.insertAccount.run(key, a.id, a.ledger, a.code, a.flags, a.userData, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.timestamp);
      this.ids.set(key, a.id);
    }
    for (const a of record.afterImages) s.updateAccount.run(a.flags, a.debitsPending, a.debitsPosted, a.creditsPending, a.creditsPosted, a.key);
    for (const t of record.transfers) {
      s.insertTransfer.run(t.id, t.debitAccountId, t.creditAccountId, t.amount, t.pendingId, t.timeout, t.ledger, t.code, t.flags, t.userData, t.timestamp);
    }
    for (const p of record.newPending) s.insertPending.run(p.id, p.status, p.expiresAt);
    for (const p of record.resolvedPending) s.resolvePending.run(p.status, p.id);
    for (const f of record.failures) s.insertFailure.run(f.id, f.result);
  }
}

function prepareStatements(db: Db) {
  return {
    ...ledgerRowWrites(db),
    idOf: db.prepare('SELECT id FROM accounts WHERE key = ?').pluck(),
    setThrough: db.prepare('UPDATE state_meta SET materialized_through = ? WHERE id = 1'),
    insertAccount: db.prepare(`INSERT INTO accounts (key, ${ACCOUNT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    updateAccount: db.prepare('UPDATE accounts SET flags = ?, debits_pending = ?, debits_posted = ?, credits_pending = ?, credits_posted = ? WHERE key = ?'),
    lastTransfer: db.prepare('SELECT coalesce(max(timestamp), 0) FROM transfers').pluck(),
    fillHistory: db.prepare(FILL_ACCOUNT_HISTORY),
  };
}
