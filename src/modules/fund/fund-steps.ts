// Subscriptions and redemptions as steps: each claims its row under the request id (and the day's
// cap), plans one linked chain of cash and shares, and records how it ended, in one commit with
// the ledger batch. A confirmation (or a normal redemption's arrival) posts the pending chain and
// records the dated share movement that decides from which day the shares earn.
import { formatMinor } from '../../money/amount.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../books/step-runner.ts';
import { FundError } from './fund-errors.ts';
import { postOrderChain, redemptionChain, subscriptionChain } from './fund-ledger.ts';

export interface SubscriptionRow extends Record<string, unknown> {
  user_id: string;
  request_id: string;
  subscription_id: string;
  fund_id: string;
  amount_minor: bigint;
  day_key: string;
  confirm_date: string;
  status: string;
  reason: string;
  created_at: bigint;
}

export interface RedemptionRow extends Record<string, unknown> {
  user_id: string;
  request_id: string;
  redemption_id: string;
  fund_id: string;
  shares_minor: bigint;
  mode: 'fast' | 'normal';
  day_key: string;
  arrives_on: string;
  /** '' for the wallet; otherwise the bound card a normal redemption goes on to once it arrives. */
  card_id: string;
  status: string;
  reason: string;
  created_at: bigint;
}

/** A step's end: the verdict, or null when another call had claimed the request id first. */
export type OrderEnd = LedgerVerdict | null;

/** The most a user may fast-redeem from one fund in one day: 10,000.00 CNY (regulatory cap since 2018). */
export const FAST_REDEMPTION_CAP_MINOR = 1_000_000n;

const order = (id: string, fundId: string, userId: string, amountMinor: bigint) => ({ id, fundId, userId, amountMinor });

async function insertOrIgnore(tx: SqlExecutor, table: string, row: Record<string, unknown>): Promise<boolean> {
  const columns = Object.keys(row);
  const sql = `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (user_id, request_id) DO NOTHING`;
  const inserted = await tx.run(sql, Object.values(row) as (string | bigint)[]);
  return inserted.changes === 1;
}

/** What the user has already ordered today in `table` (refused orders do not count), this one included. */
async function orderedToday(
  tx: SqlExecutor,
  table: string,
  column: string,
  row: { user_id: string; fund_id: string; day_key: string },
  extra = '',
): Promise<bigint> {
  const sum = await tx.get<{ total: bigint | null }>(
    `SELECT SUM(${column}) AS total FROM ${table} WHERE user_id = ? AND fund_id = ? AND day_key = ? AND status <> 'failed'${extra}`,
    [row.user_id, row.fund_id, row.day_key],
  );
  return BigInt(sum?.total ?? 0n);
}

/** What the user fast-redeemed from the fund on `dayKey`, for the day's cap. */
export function fastRedeemedOn(db: SqlExecutor, userId: string, fundId: string, dayKey: string): Promise<bigint> {
  return orderedToday(db, 'fund_redemptions', 'shares_minor', { user_id: userId, fund_id: fundId, day_key: dayKey }, " AND mode = 'fast'");
}

async function ensureHolding(tx: SqlExecutor, fundId: string, userId: string): Promise<void> {
  await tx.run('INSERT INTO fund_holdings (fund_id, user_id) VALUES (?, ?) ON CONFLICT (fund_id, user_id) DO NOTHING', [fundId, userId]);
}

/** From `effectiveDate` on, the holder's earning shares change by `deltaMinor` (folded in by the accrual of that date). */
async function recordMove(tx: SqlExecutor, ref: string, fundId: string, userId: string, effectiveDate: string, deltaMinor: bigint): Promise<void> {
  await tx.run('INSERT INTO fund_moves (ref, fund_id, user_id, effective_date, delta_minor) VALUES (?, ?, ?, ?, ?)', [
    ref,
    fundId,
    userId,
    effectiveDate,
    deltaMinor,
  ]);
}

async function markFailed(tx: SqlExecutor, table: string, row: { user_id: string; request_id: string }, verdict: LedgerVerdict): Promise<void> {
  if (verdict.applied) return;
  await tx.run(`UPDATE ${table} SET status = 'failed', reason = ? WHERE user_id = ? AND request_id = ?`, [
    `${verdict.reason}:${verdict.result}`,
    row.user_id,
    row.request_id,
  ]);
}

/** A new subscription: claims the request id within the fund's daily cap, holds the cash and the shares pending. */
export function subscribeStep(row: SubscriptionRow, dailyCapMinor: bigint | null): Step<boolean, OrderEnd> {
  return {
    name: 'fund.subscribe',
    maxEvents: 2,
    async claim(tx) {
      if (!(await insertOrIgnore(tx, 'fund_subscriptions', row))) return false;
      if (dailyCapMinor !== null) {
        const total = await orderedToday(tx, 'fund_subscriptions', 'amount_minor', row);
        if (total > dailyCapMinor) {
          const left = dailyCapMinor - (total - row.amount_minor);
          const cap = formatMinor(dailyCapMinor, PLATFORM_CURRENCY);
          throw new FundError('purchase_cap_exceeded', `this fund takes at most ${cap} CNY a day from one user`, {
            left: formatMinor(left > 0n ? left : 0n, PLATFORM_CURRENCY),
          });
        }
      }
      return true;
    },
    plan: (fresh) => (fresh ? subscriptionChain(order(row.subscription_id, row.fund_id, row.user_id, row.amount_minor)) : []),
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      await markFailed(tx, 'fund_subscriptions', row, verdict);
      if (verdict.applied) await ensureHolding(tx, row.fund_id, row.user_id);
      return verdict;
    },
  };
}

/** Posts a pending order's chain once its row moved from 'pending' to `done`; a failure to post is a bug. */
function postStep(name: string, claimRow: (tx: SqlExecutor) => Promise<boolean>, orderId: string): Step<boolean, boolean> {
  return {
    name,
    maxEvents: 2,
    claim: claimRow,
    plan: (claimed) => (claimed ? postOrderChain(orderId) : []),
    async record(_tx, claimed, outcomes) {
      const verdict = ledgerVerdict(outcomes);
      if (claimed && !verdict.applied) throw new Error(`${name} ${orderId}: the ledger refused to post (${verdict.result})`);
      return claimed;
    },
  };
}

/** Confirms a subscription on its confirmation date: the shares are the holder's and earn from that date. */
export function confirmStep(row: SubscriptionRow): Step<boolean, boolean> {
  return postStep(
    'fund.confirm',
    async (tx) => {
      const moved = await tx.run("UPDATE fund_subscriptions SET status = 'confirmed' WHERE subscription_id = ? AND status = 'pending'", [row.subscription_id]);
      if (moved.changes === 0) return false;
      await recordMove(tx, row.subscription_id, row.fund_id, row.user_id, row.confirm_date, row.amount_minor);
      return true;
    },
    row.subscription_id,
  );
}

/** A redemption: fast within the day's cap, or normal (pending until it arrives); shares stop earning today. */
export function redeemStep(row: RedemptionRow): Step<boolean, OrderEnd> {
  return {
    name: `fund.redeem.${row.mode}`,
    maxEvents: 2,
    async claim(tx) {
      if (!(await insertOrIgnore(tx, 'fund_redemptions', row))) return false;
      if (row.mode === 'fast') {
        const total = await orderedToday(tx, 'fund_redemptions', 'shares_minor', row, " AND mode = 'fast'");
        if (total > FAST_REDEMPTION_CAP_MINOR) {
          const left = FAST_REDEMPTION_CAP_MINOR - (total - row.shares_minor);
          throw new FundError('fast_redemption_limit', 'fast redemption is capped at 10000.00 CNY per fund per day', {
            left: formatMinor(left, PLATFORM_CURRENCY),
          });
        }
      }
      return true;
    },
    plan: (fresh) => (fresh ? redemptionChain(order(row.redemption_id, row.fund_id, row.user_id, row.shares_minor), row.mode === 'normal') : []),
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      await markFailed(tx, 'fund_redemptions', row, verdict);
      if (verdict.applied) await recordMove(tx, row.redemption_id, row.fund_id, row.user_id, row.day_key, -row.shares_minor);
      return verdict;
    },
  };
}

/** A normal redemption arrives: its pending cash reaches the wallet, and goes on to the card (`paying_out`) when it was sent to one. */
export function settleRedemptionStep(row: RedemptionRow): Step<boolean, boolean> {
  return postStep(
    'fund.redemption.arrive',
    async (tx) => {
      const moved = await tx.run(
        "UPDATE fund_redemptions SET status = CASE WHEN card_id = '' THEN 'completed' ELSE 'paying_out' END WHERE redemption_id = ? AND status = 'pending'",
        [row.redemption_id],
      );
      return moved.changes === 1;
    },
    row.redemption_id,
  );
}
