// The campaign's money moves as steps, each one commit with its ledger batch:
//   fund   -> the campaign row claimed under its id, the pool from the platform's prize budget;
//   start  -> the reveal begins: the campaign closes, the complete sets are counted and each
//             winner's amount written once (no money moves; the split is fixed from here on);
//   payout -> one batch of winners flagged paid and their prizes paid from the pool together, so
//             a crash leaves a batch wholly paid or wholly waiting, and a winner is never paid twice.
import type { TransferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { campaignFundingAccountId, campaignPoolAccountId, derivedId, TransferCode, walletAccountId } from '../books/chart.ts';
import { moveEvent } from '../books/moves.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { requireApplied, type Step } from '../books/step-runner.ts';
import type { RandomInts } from '../redpacket/split.ts';
import { CARD_KINDS } from './cards.ts';
import { equalShare, type SplitPolicy, splitPrizePool, splitsAtRandom } from './prize-split.ts';

export type CampaignStatus = 'open' | 'revealing' | 'revealed';

export interface CampaignRow extends Record<string, unknown> {
  campaign_id: string;
  name: string;
  pool_minor: bigint;
  card_odds: string;
  daily_card_cap: bigint;
  reveal_at: bigint;
  split: SplitPolicy;
  status: CampaignStatus;
  winner_count: bigint;
  paid_count: bigint;
  paid_minor: bigint;
  remainder_minor: bigint;
  created_at: bigint;
}

/** A move of `amount` between two accounts in the platform currency. */
function move(id: string, debit: string, credit: string, amount: bigint, code: number, userData: string): TransferEvent {
  return moveEvent({ id, debit, credit, amount, code }, userData);
}

/** Creates and funds a campaign: false when the id was taken first (the caller compares the terms). */
export function fundStep(row: CampaignRow): Step<boolean, boolean> {
  return {
    name: 'campaign.fund',
    maxEvents: 1,
    async claim(tx) {
      const r = row;
      const inserted = await tx.run(
        `INSERT INTO campaign_campaigns (campaign_id, name, pool_minor, card_odds, daily_card_cap, reveal_at, split, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?) ON CONFLICT DO NOTHING`,
        [r.campaign_id, r.name, r.pool_minor, r.card_odds, r.daily_card_cap, r.reveal_at, r.split, r.created_at],
      );
      return inserted.changes > 0;
    },
    plan: (fresh) =>
      fresh
        ? [
            move(
              derivedId('cmf', row.campaign_id),
              campaignFundingAccountId(PLATFORM_CURRENCY.code),
              campaignPoolAccountId(row.campaign_id),
              row.pool_minor,
              TransferCode.campaignPoolFunding,
              row.campaign_id,
            ),
          ]
        : [],
    async record(_tx, fresh, outcomes) {
      if (fresh) requireApplied('campaign.fund', outcomes);
      return fresh;
    },
  };
}

/** The users holding every kind (a subquery; its two parameters are the campaign and the number of kinds). */
const COMPLETE_SETS = 'SELECT user_id FROM campaign_cards WHERE campaign_id = ? AND held > 0 GROUP BY user_id HAVING COUNT(*) = ?';

/** Users holding every kind, in id order: the order the split's shares are given in. */
async function completeSets(tx: SqlExecutor, campaignId: string): Promise<string[]> {
  const rows = await tx.all<{ user_id: string }>(`${COMPLETE_SETS} ORDER BY user_id`, [campaignId, CARD_KINDS.length]);
  return rows.map((r) => r.user_id);
}

async function countCompleteSets(tx: SqlExecutor, campaignId: string): Promise<number> {
  const row = await tx.get<{ n: bigint }>(`SELECT COUNT(*) AS n FROM (${COMPLETE_SETS}) sets`, [campaignId, CARD_KINDS.length]);
  return Number(row?.n ?? 0n);
}

/**
 * The equal split's winners written by the store itself, in id order with the same amount each:
 * nothing per winner passes through the process, so a million winners cost no memory here.
 */
async function insertEqualWinners(tx: SqlExecutor, campaignId: string, each: bigint): Promise<void> {
  await tx.run(
    `INSERT INTO campaign_winners (campaign_id, seq, user_id, amount_minor)
     SELECT CAST(? AS TEXT), ROW_NUMBER() OVER (ORDER BY user_id) - 1, user_id, CAST(? AS BIGINT) FROM (${COMPLETE_SETS}) sets`,
    [campaignId, each, campaignId, CARD_KINDS.length],
  );
}

/** Fixes each winner's amount; returns how many won and what stays in the pool. */
async function fixWinners(
  tx: SqlExecutor,
  campaignId: string,
  pool: bigint,
  split: SplitPolicy,
  random: RandomInts,
): Promise<{ winners: number; remainder: bigint }> {
  const count = await countCompleteSets(tx, campaignId);
  if (!splitsAtRandom(pool, count, split)) {
    const { each, remainder } = equalShare(pool, count);
    await insertEqualWinners(tx, campaignId, each);
    return { winners: count, remainder };
  }
  const winners = await completeSets(tx, campaignId);
  const { shares, remainder } = splitPrizePool(pool, winners.length, split, random);
  await insertWinners(tx, campaignId, winners, shares);
  return { winners: winners.length, remainder };
}

/** Rows in chunks, so a million winners are a few thousand statements rather than a million. */
async function insertWinners(tx: SqlExecutor, campaignId: string, winners: readonly string[], shares: readonly bigint[]): Promise<void> {
  const CHUNK = 300;
  for (let i = 0; i < winners.length; i += CHUNK) {
    const seqs = winners.slice(i, i + CHUNK).map((_, j) => i + j);
    await tx.run(
      `INSERT INTO campaign_winners (campaign_id, seq, user_id, amount_minor) VALUES ${seqs.map(() => '(?, ?, ?, ?)').join(', ')}`,
      seqs.flatMap((seq) => [campaignId, seq, winners[seq], shares[seq]]),
    );
  }
}

/** Closes an open campaign and fixes who wins what; false when the reveal had already begun. */
export function startRevealStep(campaignId: string, random: RandomInts): Step<boolean, boolean> {
  return {
    name: 'campaign.reveal.start',
    maxEvents: 0,
    async claim(tx) {
      const row = await tx.get<{ pool_minor: bigint; split: SplitPolicy }>(
        "UPDATE campaign_campaigns SET status = 'revealing' WHERE campaign_id = ? AND status = 'open' RETURNING pool_minor, split",
        [campaignId],
      );
      if (!row) return false;
      const { winners, remainder } = await fixWinners(tx, campaignId, row.pool_minor, row.split, random);
      await tx.run('UPDATE campaign_campaigns SET winner_count = ?, remainder_minor = ? WHERE campaign_id = ?', [winners, remainder, campaignId]);
      return true;
    },
    plan: () => [],
    record: async (_tx, started) => started,
  };
}

export interface PaidWinner extends Record<string, unknown> {
  readonly seq: bigint;
  readonly user_id: string;
  readonly amount_minor: bigint;
}

/** Pays the still unpaid winners among seq `from`..`to`; returns those this batch paid. */
export function payoutStep(campaignId: string, from: number, to: number): Step<PaidWinner[], PaidWinner[]> {
  return {
    name: 'campaign.reveal.payout',
    maxEvents: to - from + 1,
    async claim(tx) {
      const paid = await tx.all<PaidWinner>(
        'UPDATE campaign_winners SET paid = 1 WHERE campaign_id = ? AND paid = 0 AND seq >= ? AND seq <= ? RETURNING seq, user_id, amount_minor',
        [campaignId, from, to],
      );
      const total = paid.reduce((sum, w) => sum + w.amount_minor, 0n);
      await tx.run('UPDATE campaign_campaigns SET paid_count = paid_count + ?, paid_minor = paid_minor + ? WHERE campaign_id = ?', [
        paid.length,
        total,
        campaignId,
      ]);
      return paid;
    },
    plan: (paid) =>
      paid
        .filter((w) => w.amount_minor > 0n)
        .map((w) =>
          move(
            derivedId('cmp', campaignId, String(w.seq)),
            campaignPoolAccountId(campaignId),
            walletAccountId(w.user_id),
            w.amount_minor,
            TransferCode.campaignPrize,
            w.user_id,
          ),
        ),
    async record(_tx, paid, outcomes) {
      requireApplied('campaign.payout', outcomes);
      return paid;
    },
  };
}

/** Marks a campaign revealed once every winner is paid. */
export function finishRevealStep(campaignId: string): Step<void, void> {
  return {
    name: 'campaign.reveal.finish',
    maxEvents: 0,
    async claim(tx) {
      await tx.run(
        "UPDATE campaign_campaigns SET status = 'revealed' WHERE campaign_id = ? AND status = 'revealing' AND NOT EXISTS (SELECT 1 FROM campaign_winners w WHERE w.campaign_id = ? AND w.paid = 0)",
        [campaignId, campaignId],
      );
    },
    plan: () => [],
    record: async () => undefined,
  };
}
