// After the Double-11 run, with the server stopped: the store is opened again, every ledger
// invariant is checked over the whole store (`formica verify`), and everything the load worker
// saw acknowledged is looked up: each paid trade settled, each open and each subscription present.
import { createFormica } from '../../src/app.ts';
import { verifyStore } from '../../src/engine/verify.ts';
import { parseMinor } from '../../src/money/amount.ts';
import { PLATFORM_CURRENCY } from '../../src/modules/books/platform-currency.ts';
import type { SqlDatabase, SqlParam } from '../../src/store/sql.ts';
import type { Acknowledged } from './plan.ts';

const CHUNK = 500;

export interface CheckReport {
  readonly ledgerProblems: readonly string[];
  readonly accounts: number;
  readonly transfers: number;
  readonly missingTrades: number;
  readonly missingOpens: number;
  readonly missingSubscriptions: number;
}

/** How many of `ids` the query finds, asked in chunks (`query` takes the chunk's placeholders). */
async function found(sql: SqlDatabase, ids: readonly string[], query: (placeholders: string) => string): Promise<number> {
  let count = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const row = await sql.get<{ n: bigint }>(query(chunk.map(() => '?').join(', ')), chunk as SqlParam[]);
    count += Number(row?.n ?? 0n);
  }
  return count;
}

/** Opens acknowledged but not stored with the same amount, packet by packet. */
async function missingOpens(sql: SqlDatabase, opens: Acknowledged['opens']): Promise<number> {
  const expected = new Map<string, { count: number; minor: bigint }>();
  for (const open of opens) {
    const e = expected.get(open.packetId) ?? { count: 0, minor: 0n };
    expected.set(open.packetId, { count: e.count + 1, minor: e.minor + parseMinor(open.amount, PLATFORM_CURRENCY) });
  }
  let missing = 0;
  for (const [packetId, e] of expected) {
    const row = await sql.get<{ n: bigint; minor: bigint | null }>(
      'SELECT COUNT(*) AS n, SUM(amount_minor) AS minor FROM redpacket_opens WHERE packet_id = ?',
      [packetId],
    );
    const stored = Number(row?.n ?? 0n);
    if (stored < e.count || (row?.minor ?? 0n) < e.minor) missing += Math.max(1, e.count - stored);
  }
  return missing;
}

export async function checkAfterRun(dataDir: string, ack: Acknowledged): Promise<CheckReport> {
  const app = await createFormica({ dataDir, runJobs: false });
  try {
    const ledger = await verifyStore(app.store, () => {});
    const settled = await found(
      app.sql,
      ack.tradeNos,
      (p) => `SELECT COUNT(*) AS n FROM trades WHERE trade_no IN (${p}) AND status IN ('TRADE_SUCCESS', 'TRADE_FINISHED')`,
    );
    const subscribed = await found(app.sql, ack.subscriptionIds, (p) => `SELECT COUNT(*) AS n FROM fund_subscriptions WHERE subscription_id IN (${p})`);
    return {
      ledgerProblems: ledger.problems,
      accounts: ledger.accounts,
      transfers: ledger.transfers,
      missingTrades: ack.tradeNos.length - settled,
      missingOpens: await missingOpens(app.sql, ack.opens),
      missingSubscriptions: ack.subscriptionIds.length - subscribed,
    };
  } finally {
    await app.close();
  }
}
