// Each account's transfer history in the SQLite store, kept off the commit path. A batch writes only
// `transfers` (appended in timestamp order); a catch-up pass later copies the transfers after the
// watermark (`ledger_meta.account_index_through`) into `account_transfers`, sorted by (account,
// timestamp) so that each index page takes many entries in one write instead of one entry per
// transfer per page. The watermark moves in the pass's transaction, so a pass interrupted by a crash
// leaves nothing behind and the next one redoes it. A history query reads the index up to the
// watermark and scans the short unindexed tail after it, so it never waits for a pass and never writes.
import type Database from 'better-sqlite3';
import { TRANSFER_COLUMNS, type TransferRow } from '../rows.ts';
import type { TransferQuery } from '../store.ts';

type Db = Database.Database;
type Param = string | number | bigint;

/** Transfers indexed at most per pass, so one transaction's sort and WAL stay bounded. */
export const MAX_PASS_TRANSFERS = 262_144;

/** Indexes the transfers with a timestamp in (@from, @through], in one statement: sorted before
 *  inserting, so the B-tree is written page by page; OR IGNORE keeps a rerun harmless. */
export const FILL_ACCOUNT_HISTORY = `
  INSERT OR IGNORE INTO account_transfers (account_id, timestamp)
  SELECT account_id, timestamp FROM (
    SELECT debit_account_id AS account_id, timestamp FROM transfers WHERE timestamp > @from AND timestamp <= @through
    UNION ALL
    SELECT credit_account_id AS account_id, timestamp FROM transfers WHERE timestamp > @from AND timestamp <= @through
  ) ORDER BY account_id, timestamp`;

export const JOINED_COLUMNS = TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

export class AccountIndex {
  private readonly s;
  private readonly queries = new Map<string, Database.Statement>();

  constructor(private readonly db: Db) {
    this.s = prepareStatements(db);
  }

  /** Every transfer with a timestamp up to this one is in the index. */
  watermark(): bigint {
    return this.s.watermark.get() as bigint;
  }

  /** How many transfers are not indexed yet (counted up to one pass's worth). */
  tailLength(): number {
    return Number((this.s.tail.get(this.watermark(), MAX_PASS_TRANSFERS) as { n: bigint }).n);
  }

  /** Indexes up to MAX_PASS_TRANSFERS of the tail and moves the watermark past them. Call inside a
   *  write transaction; returns how many transfers it indexed. */
  pass(): number {
    const from = this.watermark();
    const tail = this.s.tail.get(from, MAX_PASS_TRANSFERS) as { n: bigint; through: bigint | null };
    if (tail.through === null) return 0;
    this.s.fill.run({ from, through: tail.through });
    this.s.setWatermark.run(tail.through);
    return Number(tail.n);
  }

  /** An account's transfers oldest first, in one read transaction so the watermark and both
   *  reads agree. Index rows all precede tail rows, so the tail is read only to fill the page. */
  history(accountId: string, query: TransferQuery): TransferRow[] {
    return this.db.transaction(() => {
      const through = this.watermark();
      const after = query.after ?? 0n;
      const rows = after < through ? this.indexed(accountId, query, through) : [];
      const reachesTail = query.until === undefined || query.until > through;
      if (rows.length < query.limit && reachesTail) {
        const from = after > through ? after : through;
        rows.push(...this.tail(accountId, query, from, query.limit - rows.length));
      }
      return rows;
    })();
  }

  private indexed(accountId: string, query: TransferQuery, through: bigint): TransferRow[] {
    const until = query.until !== undefined && query.until < through ? query.until : through;
    const { where, params } = filters(query, 't.');
    const sql =
      `SELECT ${JOINED_COLUMNS} FROM account_transfers a CROSS JOIN transfers t ON t.timestamp = a.timestamp ` +
      `WHERE a.account_id = ? AND a.timestamp > ? AND a.timestamp <= ?${where} ORDER BY a.timestamp LIMIT ?`;
    return this.statement(sql).all(accountId, query.after ?? 0n, until, ...params, query.limit) as TransferRow[];
  }

  private tail(accountId: string, query: TransferQuery, from: bigint, limit: number): TransferRow[] {
    const { where, params } = filters(query, '');
    const until = query.until !== undefined ? ' AND timestamp <= ?' : '';
    const sql =
      `SELECT ${TRANSFER_COLUMNS} FROM transfers WHERE timestamp > ?${until} ` +
      `AND (debit_account_id = ? OR credit_account_id = ?)${where} ORDER BY timestamp LIMIT ?`;
    const bounds: Param[] = query.until !== undefined ? [from, query.until] : [from];
    return this.statement(sql).all(...bounds, accountId, accountId, ...params, limit) as TransferRow[];
  }

  /** A query's shape depends on its filters; each shape is prepared once. */
  private statement(sql: string): Database.Statement {
    let s = this.queries.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.queries.set(sql, s);
    }
    return s;
  }
}

/** The optional filters of a history query, as SQL conditions on columns named with `prefix`. */
export function filters(query: TransferQuery, prefix: string): { where: string; params: Param[] } {
  let where = '';
  const params: Param[] = [];
  if (query.code !== undefined) {
    where += ` AND ${prefix}code = ?`;
    params.push(query.code);
  }
  if (query.userData !== undefined) {
    where += ` AND ${prefix}user_data = ?`;
    params.push(query.userData);
  }
  return { where, params };
}

function prepareStatements(db: Db) {
  return {
    watermark: db.prepare('SELECT account_index_through FROM ledger_meta WHERE id = 1').pluck(),
    setWatermark: db.prepare('UPDATE ledger_meta SET account_index_through = ? WHERE id = 1'),
    tail: db.prepare('SELECT count(*) AS n, max(timestamp) AS through FROM (SELECT timestamp FROM transfers WHERE timestamp > ? ORDER BY timestamp LIMIT ?)'),
    fill: db.prepare(FILL_ACCOUNT_HISTORY),
  };
}
