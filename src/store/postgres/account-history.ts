// Each account's transfer history in the PostgreSQL store, kept off the commit path as in the
// SQLite store (sqlite/account-index.ts): a batch writes only `transfers` (keyed by id and
// timestamp); a catch-up pass later copies the transfers after the watermark
// (`account_index_watermark.through`) into `account_transfers`, sorted by (account, timestamp).
// Batches commit in timestamp order (the ledger_meta row lock), and a batch's rows are visible
// before the next batch can take the lock, so a snapshot that sees a transfer sees every earlier
// one: a pass indexes exactly the tail its snapshot sees and moves the watermark to its last
// timestamp. A history query reads the index up to the watermark and the unindexed tail after it
// in one statement (one snapshot), so no committed transfer is ever missing from it.
import type pg from 'pg';
import { TRANSFER_COLUMNS } from '../rows.ts';
import { type CatchUpPolicy, DEFAULT_CATCH_UP } from '../catch-up.ts';
import type { TransferQuery } from '../store.ts';
import { withTransaction } from './transaction.ts';

type Param = string | number | bigint;

/** Transfers indexed at most per pass, so one transaction's sort stays bounded. */
export const MAX_PASS_TRANSFERS = 262_144;

const JOINED_COLUMNS = TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

/** An account's transfers oldest first: the indexed part, then the tail, each limited to a page. */
export function accountHistorySql(accountId: string, query: TransferQuery): { sql: string; params: Param[] } {
  const params: Param[] = [];
  const p = (value: Param) => {
    params.push(value);
    return `$${params.length}`;
  };
  const account = p(accountId);
  const after = `${p(query.after ?? 0n)}::bigint`;
  const limit = p(query.limit);
  let where = query.until !== undefined ? ` AND t.timestamp <= ${p(query.until)}::bigint` : '';
  if (query.code !== undefined) where += ` AND t.code = ${p(query.code)}`;
  if (query.userData !== undefined) where += ` AND t.user_data = ${p(query.userData)}`;
  const indexed =
    `SELECT ${JOINED_COLUMNS} FROM account_transfers a JOIN transfers t ON t.timestamp = a.timestamp ` +
    `WHERE a.account_id = ${account} AND a.timestamp > ${after} AND a.timestamp <= (SELECT through FROM w)${where} ORDER BY a.timestamp LIMIT ${limit}`;
  const tail =
    `SELECT ${JOINED_COLUMNS} FROM transfers t WHERE t.timestamp > greatest(${after}, (SELECT through FROM w)) ` +
    `AND (t.debit_account_id = ${account} OR t.credit_account_id = ${account})${where} ORDER BY t.timestamp LIMIT ${limit}`;
  const sql =
    'WITH w AS (SELECT through FROM account_index_watermark WHERE id = 1) ' +
    `SELECT * FROM ((${indexed}) UNION ALL (${tail})) AS h ORDER BY timestamp LIMIT ${limit}`;
  return { sql, params };
}

// One statement, so the tail it indexes and the watermark it sets come from one snapshot. Sorted
// before inserting so the index is written page by page; DO NOTHING keeps a rerun harmless.
const PASS_SQL = `
WITH tail AS (
  SELECT debit_account_id, credit_account_id, timestamp FROM transfers WHERE timestamp > $1::bigint ORDER BY timestamp LIMIT $2
), indexed AS (
  INSERT INTO account_transfers (account_id, timestamp)
  SELECT account_id, timestamp FROM (
    SELECT debit_account_id AS account_id, timestamp FROM tail UNION ALL SELECT credit_account_id, timestamp FROM tail
  ) AS s ORDER BY account_id, timestamp
  ON CONFLICT DO NOTHING
)
UPDATE account_index_watermark SET through = coalesce((SELECT max(timestamp) FROM tail), $1::bigint) WHERE id = 1
RETURNING (SELECT count(*) FROM tail) AS n`;

/** Indexes up to MAX_PASS_TRANSFERS of the tail; returns how many. Passes of every process take
 *  turns on the watermark row; they never take the ledger_meta lock, so writers do not wait. */
export function indexPass(pool: pg.Pool): Promise<number> {
  return withTransaction(pool, async (client) => {
    const locked = await client.query<{ through: bigint }>('SELECT through FROM account_index_watermark WHERE id = 1 FOR UPDATE');
    const done = await client.query<{ n: bigint }>(PASS_SQL, [locked.rows[0].through, MAX_PASS_TRANSFERS]);
    return Number(done.rows[0].n);
  });
}

/**
 * When this process runs passes: as soon as the transfers it committed since the last pass reach
 * the policy's tail, and a while after any commit so that a quiet store ends up fully indexed. One
 * pass at a time; a failed one leaves the index behind, never wrong, and is retried later.
 */
export class AccountIndexer {
  private tail = 0;
  private running: Promise<void> | null = null;
  private later: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly policy: CatchUpPolicy = DEFAULT_CATCH_UP,
  ) {}

  /** Call after a commit that added `transfers`. */
  written(transfers: number): void {
    if (transfers === 0) return;
    this.tail += transfers;
    if (this.tail >= this.policy.tailTransfers) this.start();
    else this.arm();
  }

  /** Runs passes until the whole tail is indexed (after the one in flight, if any). */
  async catchUp(): Promise<void> {
    await this.running;
    let indexed: number;
    do indexed = await indexPass(this.pool);
    while (indexed === MAX_PASS_TRANSFERS);
    this.tail = 0;
  }

  /** Stops scheduling and waits for the pass in flight. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.later) clearTimeout(this.later);
    await this.running;
  }

  private start(): void {
    if (this.running || this.closed) return;
    if (this.later) clearTimeout(this.later);
    this.later = null;
    this.tail = 0;
    this.running = indexPass(this.pool)
      .then(
        (indexed) => {
          if (indexed === MAX_PASS_TRANSFERS) this.tail += indexed;
        },
        (error: Error) => {
          process.emitWarning(`account index catch-up failed, retrying: ${error.message}`);
          this.tail += 1;
        },
      )
      .finally(() => {
        this.running = null;
        if (this.tail >= this.policy.tailTransfers) this.start();
        else if (this.tail > 0) this.arm();
      });
  }

  private arm(): void {
    if (this.later || this.running || this.closed || this.policy.idleMs === 0) return;
    this.later = setTimeout(() => {
      this.later = null;
      this.start();
    }, this.policy.idleMs).unref();
  }
}
