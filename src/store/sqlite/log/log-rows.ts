// Reading the commit file's `ledger_log`, for the writer (replay at open, another writer's rows)
// and for the materializing worker.
import type Database from 'better-sqlite3';
import { decodeRecord, type LogRecord, type StoredLogRow } from '../../log/codec.ts';

export interface LogRow {
  readonly seq: number;
  readonly record: LogRecord;
}

/** Prepared once per connection: the rows after a seq, in order, and the last seq. */
export class LogReader {
  private readonly after;
  private readonly last;

  constructor(db: Database.Database) {
    this.after = db.prepare(
      'SELECT seq, last_timestamp, accounts, transfers, pending, failures FROM ledger_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?',
    );
    this.last = db.prepare('SELECT log_seq FROM ledger_meta WHERE id = 1').pluck();
  }

  lastSeq(): number {
    return Number(this.last.get() as bigint);
  }

  /** Rows `after` < seq <= `through`, at most `limit`, decoded with `idOf` for accounts made before each. */
  *rows(after: number, through: number, limit: number, idOf: (key: number) => string): Iterable<LogRow> {
    for (const row of this.after.iterate(after, through, limit) as Iterable<StoredLogRow>) {
      yield { seq: Number(row.seq), record: decodeRecord(row, row.last_timestamp, idOf) };
    }
  }
}
