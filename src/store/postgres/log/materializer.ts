// The PostgreSQL log layout's materializer: writes committed log rows into the ledger's tables
// (accounts, transfers, pending and failed transfers) behind the commits, on its own pooled
// connection, and moves `ledger_materialized.through` in the same transaction, so a pass is
// applied once or not at all whatever kills the process. Rows come decoded from the writer's
// memory (its tail holds every row after the watermark it has seen), so nothing is decoded twice.
// Materializers of several processes take turns on the watermark row; each applies only what the
// last one left, and a process that finds the watermark past its own rows just forgets them.
import type pg from 'pg';
import { LedgerInvariantError } from '../../../ledger/index.ts';
import type { LedgerMemory } from '../../log/ledger-memory.ts';
import type { LogRecord } from '../../log/codec.ts';
import { foldRecords } from '../../log/fold-records.ts';
import { copyTransfers, EFFECT_CTES, effectParams } from '../batch-io.ts';
import { withTransaction } from '../transaction.ts';

/** Log rows applied per transaction at most. */
const ROWS_PER_PASS = 16;
/** Rows that gather before a pass while nobody waits for one, so each account is written once
 *  for all of them: with a uniform load most rows change most accounts. */
const GATHER_ROWS = 8;
/** Fewer rows than that are materialized once no row has come for this long (a busy writer
 *  commits every 100-250 ms on the bench machine). */
const QUIET_MS = 250;
/** After a failed pass, the next try. */
const RETRY_MS = 1_000;

const MATERIALIZE_SQL = `WITH ${EFFECT_CTES} UPDATE ledger_materialized SET through = $26::bigint WHERE id = 1`;

export interface PostgresMaterializerHealth {
  readonly state: 'running' | 'failing' | 'closed';
  readonly materializedThrough: number;
  readonly failure: string | null;
}

/** Summed over the passes that wrote rows. */
export interface MaterializerStats {
  passes: number;
  rows: number;
  ms: number;
}

interface Waiter {
  readonly seq: number;
  resolve(): void;
  reject(error: Error): void;
}

export class PostgresMaterializer {
  /** Every log row up to this one is in the tables. */
  private through: number;
  private running: Promise<void> | null = null;
  private waiters: Waiter[] = [];
  private failure: Error | null = null;
  /** The quiet wait, or the retry after a failed pass. */
  private later: NodeJS.Timeout | null = null;
  private closed = false;
  readonly stats: MaterializerStats = { passes: 0, rows: 0, ms: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly memory: LedgerMemory,
    through: number,
    /** Called with the transfers each pass wrote (the account history indexer's cue). */
    private readonly wrote: (transfers: number) => void,
  ) {
    this.through = through;
  }

  /** Call when memory holds rows the tables may not: after a commit and after a replay. A pass
   *  starts once GATHER_ROWS rows wait, or someone waits for one, or no row came for QUIET_MS. */
  kick(): void {
    if (this.running || this.closed) return;
    if (this.waiters.length > 0) this.start();
    // A failed pass has its retry armed.
    else if (this.failure) return;
    else if (this.behind() >= GATHER_ROWS) this.start();
    else this.whenQuiet();
  }

  private whenQuiet(): void {
    if (this.later) clearTimeout(this.later);
    this.later = this.behind() > 0 ? setTimeout(() => this.start(this.memory.seq), QUIET_MS).unref() : null;
  }

  /** Passes through row `flush` at least, then while GATHER_ROWS wait or someone waits. */
  private start(flush = 0): void {
    if (this.later) clearTimeout(this.later);
    this.later = null;
    if (this.running || this.closed) return;
    this.running = this.drain(flush).finally(() => {
      this.running = null;
    });
  }

  /** Resolves once the tables hold every row up to `seq`; rejects when the pass it starts fails
   *  (a failing materializer is tried again at once by whoever waits, and once a second otherwise). */
  until(seq: number): Promise<void> {
    if (seq <= this.through) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ seq, resolve, reject });
      this.kick();
    });
  }

  /** Rows memory holds that the tables may not. */
  behind(): number {
    return this.memory.seq - this.through;
  }

  health(): PostgresMaterializerHealth {
    const state = this.closed ? 'closed' : this.failure ? 'failing' : 'running';
    return { state, materializedThrough: this.through, failure: this.failure?.message ?? null };
  }

  /** Stops scheduling and waits for the pass in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.later) clearTimeout(this.later);
    this.later = null;
    await this.running;
    for (const w of this.waiters.splice(0)) w.reject(new Error('the store is closed'));
  }

  private async drain(flush: number): Promise<void> {
    while (!this.closed && this.behind() > 0) {
      if (this.through >= flush && this.behind() < GATHER_ROWS && this.waiters.length === 0) {
        this.whenQuiet();
        break;
      }
      try {
        await this.pass();
      } catch (error) {
        this.failed(error as Error);
        return;
      }
      if (this.failure) process.emitWarning(`ledger materialization resumed after: ${this.failure.message}`);
      this.failure = null;
      this.settle();
    }
    this.settle();
  }

  /** One transaction: the rows after the locked watermark that memory holds, at most ROWS_PER_PASS. */
  private async pass(): Promise<void> {
    const started = performance.now();
    const { through, transfers, rows } = await withTransaction(this.pool, async (client) => {
      const locked = await client.query<{ through: bigint }>('SELECT through FROM ledger_materialized WHERE id = 1 FOR UPDATE');
      const from = Number(locked.rows[0].through);
      const rows = this.memory.tail.rowsAfter(from, ROWS_PER_PASS);
      if (from < this.memory.seq && rows[0]?.seq !== from + 1) throw new LedgerInvariantError(`log row ${from + 1} is neither materialized nor in memory`);
      const pass = foldRecords(rows.map((row) => row.record));
      if (rows.length > 0) await writeRecord(client, pass, rows[rows.length - 1].seq, (key) => this.memory.idOf(key));
      const transfers = pass.transfers.length;
      return { through: rows.at(-1)?.seq ?? from, transfers, rows: rows.length };
    });
    if (rows > 0) {
      this.stats.passes++;
      this.stats.rows += rows;
      this.stats.ms += performance.now() - started;
    }
    // Another process may have materialized past what this one has applied.
    this.through = Math.max(this.through, through);
    this.memory.tail.dropThrough(this.through);
    this.wrote(transfers);
  }

  private settle(): void {
    const ready = this.waiters.filter((w) => w.seq <= this.through);
    this.waiters = this.waiters.filter((w) => w.seq > this.through);
    for (const w of ready) w.resolve();
  }

  private failed(error: Error): void {
    if (!this.failure) process.emitWarning(`ledger materialization failed, retrying every ${RETRY_MS} ms: ${error.message}`);
    this.failure = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
    if (this.closed) return;
    this.later = setTimeout(() => this.start(this.memory.seq), RETRY_MS).unref();
  }
}

/** A (folded) record into the tables: its transfers by binary COPY, every other effect in one
 *  statement that also moves the watermark to `through`. */
async function writeRecord(client: pg.PoolClient, record: LogRecord, through: number, idOf: (key: number) => string): Promise<void> {
  if (record.transfers.length > 0) await copyTransfers(client, record.transfers);
  const effects = {
    newAccounts: record.newAccounts.map((k) => k.account),
    newAccountKeys: record.newAccounts.map((k) => k.key),
    changedAccounts: record.afterImages.map((image) => ({ ...image, id: idOf(image.key) })),
    newTransfers: record.transfers,
    newPending: record.newPending,
    resolvedPending: record.resolvedPending,
    newFailures: record.failures,
  };
  await client.query({ name: 'formica_materialize', text: MATERIALIZE_SQL, values: [...effectParams(effects), through] });
}
