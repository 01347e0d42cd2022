// Compacting the log layout's log (`formica ledger compact`, decision 35). Every log row carries
// the after-images of the accounts its batch changed, so an account that moves in every batch is
// written once per batch for ever. Compaction folds those away for the rows already materialized
// and older than a retention: each such row keeps its new accounts, transfers, pending states and
// failures exactly as written (they are the history, and the only copy of it the commit file has),
// and loses its after-images; the last compacted row S instead holds the after-image, as of S, of
// every account any row up to S changed.
//
// Why that is sound: folding the compacted rows from ANY earlier fold of the log (nothing, for a
// lost state file; a state file's watermark; the writer's memory) gives exactly the original fold
// at S. Transfers, pending states, failures and new accounts are unchanged; an account changed by
// some row up to S is overwritten at S with its balances as of S; an account no row up to S
// changed still has the image it was created with. The rows after S are untouched, so the fold of
// the whole log, and so memory, a rebuilt state file, account history and `verify`, are the same.
// Rows are never deleted: seqs stay dense, as every reader of the log expects.
//
// It runs in the store's write groups (a chunk of rows per group, each fsynced like any commit),
// so it may run beside the server's writer; a second run is idempotent.
import Database from 'better-sqlite3';
import type { SqliteStore } from '../sqlite-store.ts';
import { type AfterImage, decodeAccounts, encodeAccounts } from '../../log/codec.ts';
import { stateFileOf } from './state-file.ts';

export interface CompactionOptions {
  /** The newest log rows kept as written, after-images and all (default 1,000). */
  readonly retainRows?: number;
  /** Log rows rewritten per write group (default 1,024). */
  readonly chunkRows?: number;
  /** Hears the rows folded so far out of the rows to fold. */
  readonly progress?: (done: number, total: number) => void;
}

export interface CompactionReport {
  /** Rows 1..through are compacted (0: nothing was). */
  readonly through: number;
  /** The log's last row, and the state file's watermark, when compaction began. */
  readonly logSeq: number;
  readonly materializedThrough: number;
  /** Rows whose accounts were rewritten. */
  readonly rowsRewritten: number;
  /** Accounts carried by the last compacted row. */
  readonly accounts: number;
  /** The size of the compacted rows (all four BLOBs), before and after. */
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

export const DEFAULT_RETAIN_ROWS = 1_000;
const DEFAULT_CHUNK_ROWS = 1_024;

export async function compactLog(store: SqliteStore, options: CompactionOptions = {}): Promise<CompactionReport> {
  if (store.layout !== 'log') throw new Error(`the store keeps its ledger in the ${store.layout} layout: only the log layout has a log to compact`);
  const retain = options.retainRows ?? DEFAULT_RETAIN_ROWS;
  const chunk = options.chunkRows ?? DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(retain) || retain < 0) throw new Error(`the rows to retain must be a whole number, not ${retain}`);
  if (!Number.isInteger(chunk) || chunk < 1) throw new Error(`the rows per chunk must be a positive whole number, not ${chunk}`);
  await store.caughtUp();
  const db = store.db;
  const s = prepareStatements(db);
  const logSeq = Number(s.logSeq.get() as bigint);
  const watermark = stateWatermark(stateFileOf(db.name));
  const through = Math.max(0, Math.min(watermark, logSeq - retain));
  const report = { through, logSeq, materializedThrough: watermark, rowsRewritten: 0, accounts: 0, bytesBefore: 0, bytesAfter: 0 };
  if (through < 2) return { ...report, through: 0 };
  report.bytesBefore = Number(s.bytes.get(through) as bigint);
  // After-images as of the last row folded, by key: the union every compacted chunk ends with.
  const images = new Map<number, AfterImage>();
  let done = 0;
  while (done < through) {
    const from = done;
    const end = Math.min(from + chunk, through);
    await store.writeGroup(async () => {
      // The previous chunk's last row carries the union so far; this chunk's last row takes it over.
      for (const row of s.rows.all(from === 0 ? 0 : from - 1, end) as { seq: bigint; accounts: Buffer }[]) {
        const seq = Number(row.seq);
        const { newAccounts, afterImages } = decodeAccounts(row.accounts);
        for (const image of afterImages) images.set(image.key, image);
        if (seq === end) {
          const union = [...images.values()].sort((a, b) => a.key - b.key);
          s.rewrite.run(encodeAccounts({ newAccounts, afterImages: union }), seq);
          report.rowsRewritten++;
        } else if (afterImages.length > 0) {
          s.rewrite.run(encodeAccounts({ newAccounts, afterImages: [] }), seq);
          if (seq > from) report.rowsRewritten++;
        }
      }
    });
    done = end;
    options.progress?.(done, through);
  }
  report.accounts = images.size;
  report.bytesAfter = Number(s.bytes.get(through) as bigint);
  return report;
}

/** The last log row the state file holds (0 when there is no state file). */
function stateWatermark(file: string): number {
  let state: Database.Database;
  try {
    // Not readonly: a read-only connection cannot open a WAL file whose -shm is gone; it only reads.
    state = new Database(file, { fileMustExist: true });
  } catch {
    return 0;
  }
  try {
    state.defaultSafeIntegers(true);
    return Number(state.prepare('SELECT materialized_through FROM state_meta WHERE id = 1').pluck().get() as bigint);
  } finally {
    state.close();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    logSeq: db.prepare('SELECT log_seq FROM ledger_meta WHERE id = 1').pluck(),
    rows: db.prepare('SELECT seq, accounts FROM ledger_log WHERE seq > ? AND seq <= ? ORDER BY seq'),
    rewrite: db.prepare('UPDATE ledger_log SET accounts = ? WHERE seq = ?'),
    bytes: db
      .prepare('SELECT coalesce(sum(length(accounts) + length(transfers) + length(pending) + length(failures)), 0) FROM ledger_log WHERE seq <= ?')
      .pluck(),
  };
}
