// The collect-five-cards campaign: an operator creates a campaign with its card odds, daily card
// cap, reveal time and split policy, funding its prize pool on the ledger in advance; users earn
// cards by the campaign's actions (capped per Shanghai day) and give cards to friends; at the
// reveal the pool is split among the complete sets and paid in batches of resumable steps.
import type { Clock } from '../../engine/clock.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { IdSource } from '../../engine/ids.ts';
import { sqlStep } from '../../engine/step.ts';
import { AccountFlag } from '../../ledger/index.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { AccountCode, campaignFundingAccountId, campaignPoolAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { StepRunner } from '../books/step-runner.ts';
import { shanghaiDate } from '../fund/fund-calendar.ts';
import type { IdentityService } from '../identity/identity.ts';
import { cryptoInts, type RandomInts } from '../redpacket/split.ts';
import type { SocialService } from '../social/social.ts';
import type { WalletService } from '../wallet/wallet.ts';
import { CampaignError } from './campaign-errors.ts';
import { CAMPAIGN_MIGRATIONS } from './campaign-schema.ts';
import { type CampaignRow, finishRevealStep, fundStep, payoutStep, startRevealStep } from './campaign-steps.ts';
import { CARD_KINDS, type CardKind, type CardOdds, drawCard, isComplete, validOdds } from './cards.ts';
import type { SplitPolicy } from './prize-split.ts';

export type CampaignAction = 'add_friend' | 'scan_fu' | 'daily_task';

/** Winners paid per step: one commit with this many ledger transfers. */
const DEFAULT_PAYOUT_BATCH = 500;

export interface NewCampaign {
  readonly campaignId: string;
  readonly name: string;
  readonly poolMinor: bigint;
  readonly currency: string;
  readonly odds: CardOdds;
  readonly dailyCardCap: number;
  readonly revealAt: number;
  readonly split: SplitPolicy;
}

export interface CampaignSummary extends NewCampaign {
  readonly status: CampaignRow['status'];
}

export interface RevealSummary {
  readonly campaignId: string;
  readonly status: CampaignRow['status'];
  readonly winners: number;
  readonly paidWinners: number;
  readonly paidMinor: bigint;
  readonly remainderMinor: bigint;
}

export interface CardHand {
  readonly cards: Record<CardKind, number>;
  readonly complete: boolean;
}

export interface RevealOptions {
  /** Pay at most this many batches in this call; the rest waits for the next call (or the job). */
  readonly maxBatches?: number;
  /** Told after each batch how far the payout is (the CLI draws its bar from it). */
  readonly progress?: (summary: RevealSummary) => void;
}

export class CampaignService {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly identity: IdentityService,
    private readonly wallet: WalletService,
    private readonly social: SocialService,
    private readonly random: RandomInts,
    private readonly payoutBatch: number,
    private readonly log: (line: string) => void,
  ) {}

  static async open(deps: {
    db: SqlDatabase;
    engine: LedgerEngine;
    runner: StepRunner;
    clock: Clock;
    ids: IdSource;
    identity: IdentityService;
    wallet: WalletService;
    social: SocialService;
    /** Default: node:crypto's CSPRNG. Tests pass a seeded source. */
    random?: RandomInts;
    payoutBatch?: number;
    /** Where the reveal reports its progress, a line per batch. */
    log?: (line: string) => void;
  }): Promise<CampaignService> {
    await deps.db.migrate('campaign', CAMPAIGN_MIGRATIONS);
    // The prize budget: the platform's side of every pool, no balance limit (its debits are what it funded).
    const funding = campaignFundingAccountId(PLATFORM_CURRENCY.code);
    await deps.engine.ensureAccount({ id: funding, ledger: PLATFORM_CURRENCY.ledger, code: AccountCode.campaignFunding, flags: 0, userData: 'campaign' });
    const service = new CampaignService(
      deps.db,
      deps.engine,
      deps.runner,
      deps.clock,
      deps.ids,
      deps.identity,
      deps.wallet,
      deps.social,
      deps.random ?? cryptoInts,
      deps.payoutBatch ?? DEFAULT_PAYOUT_BATCH,
      deps.log ?? (() => {}),
    );
    deps.runner.onResume('campaign', () => service.revealDue());
    return service;
  }

  /** Creates a campaign and funds its pool; idempotent on the campaign id with the same terms. */
  async create(input: NewCampaign): Promise<CampaignSummary> {
    // A replay answers with the campaign as created, even once its reveal time has passed.
    const earlier = await this.findCampaign(input.campaignId);
    if (earlier) return sameCampaign(earlier, toRow(input, 0));
    if (input.currency !== PLATFORM_CURRENCY.code) throw new CampaignError('currency_not_supported', `campaigns pay in ${PLATFORM_CURRENCY.code} only`);
    if (!validOdds(input.odds)) throw new CampaignError('invalid_card_odds', 'card odds are whole weights of 0 or more, at least one above 0');
    if (!Number.isSafeInteger(input.dailyCardCap) || input.dailyCardCap < 1)
      throw new CampaignError('invalid_daily_card_cap', 'daily_card_cap must be at least 1');
    if (input.revealAt <= this.clock.now()) throw new CampaignError('invalid_reveal_time', 'reveal_at must be in the future');
    await this.engine.ensureAccount({
      id: campaignPoolAccountId(input.campaignId),
      ledger: PLATFORM_CURRENCY.ledger,
      code: AccountCode.campaignPool,
      flags: AccountFlag.debits_must_not_exceed_credits,
      userData: input.campaignId,
    });
    const row = toRow(input, this.clock.now());
    await this.runner.run(fundStep(row));
    return sameCampaign(await this.requireCampaign(input.campaignId), row);
  }

  async campaign(campaignId: string): Promise<CampaignSummary> {
    return toSummary(await this.requireCampaign(campaignId));
  }

  /** An action earns one card drawn by the campaign's odds, at most the daily cap a Shanghai day; a replayed request id returns its card. */
  async act(campaignId: string, userId: string, action: CampaignAction, requestId: string): Promise<CardKind> {
    const campaign = await this.requireCampaign(campaignId);
    const odds = JSON.parse(campaign.card_odds) as CardOdds;
    return this.runner.run(
      sqlStep('campaign.action', async (tx, nowMs) => {
        const earlier = await tx.get<{ action: string; card: CardKind }>(
          'SELECT action, card FROM campaign_actions WHERE campaign_id = ? AND user_id = ? AND request_id = ?',
          [campaignId, userId, requestId],
        );
        if (earlier) {
          if (earlier.action !== action) throw new CampaignError('request_id_reused', `request_id '${requestId}' was already used for another action`);
          return earlier.card;
        }
        await requireOpen(tx, campaignId, nowMs);
        const day = shanghaiDate(nowMs);
        const today = await tx.get<{ n: bigint }>('SELECT COUNT(*) AS n FROM campaign_actions WHERE campaign_id = ? AND user_id = ? AND day = ?', [
          campaignId,
          userId,
          day,
        ]);
        const cap = Number(campaign.daily_card_cap);
        if (Number(today?.n ?? 0n) >= cap) throw new CampaignError('daily_card_cap', `at most ${cap} cards a day`, { daily_card_cap: String(cap) });
        const card = drawCard(odds, this.random);
        await tx.run('INSERT INTO campaign_actions (campaign_id, user_id, request_id, action, day, card, at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          campaignId,
          userId,
          requestId,
          action,
          day,
          card,
          BigInt(nowMs),
        ]);
        await addCard(tx, campaignId, userId, card);
        return card;
      }),
    );
  }

  /** The user's cards of every kind, and whether they make a complete set. */
  async hand(campaignId: string, userId: string): Promise<CardHand> {
    await this.requireCampaign(campaignId);
    const rows = await this.db.all<{ kind: CardKind; held: bigint }>('SELECT kind, held FROM campaign_cards WHERE campaign_id = ? AND user_id = ?', [
      campaignId,
      userId,
    ]);
    const cards = Object.fromEntries(CARD_KINDS.map((k) => [k, 0])) as Record<CardKind, number>;
    for (const r of rows) cards[r.kind] = Number(r.held);
    return { cards, complete: isComplete(cards) };
  }

  /** Gives one held card to a friend (only friends); a replayed request id changes nothing more. */
  async gift(campaignId: string, fromUserId: string, input: { card: CardKind; toPhone: string; requestId?: string }): Promise<{ toUserId: string }> {
    await this.requireCampaign(campaignId);
    const to = await this.identity.findByPhone(input.toPhone);
    if (!to) throw new CampaignError('user_not_found', `no user with phone ${input.toPhone}`);
    if (!(await this.social.areFriends(fromUserId, to.id))) throw new CampaignError('not_a_friend', 'cards are given to friends only');
    const requestId = input.requestId ?? this.ids.next('gift');
    return this.runner.run(
      sqlStep('campaign.gift', async (tx, nowMs) => {
        const earlier = await tx.get<{ to_user_id: string; card: string }>(
          'SELECT to_user_id, card FROM campaign_gifts WHERE campaign_id = ? AND from_user_id = ? AND request_id = ?',
          [campaignId, fromUserId, requestId],
        );
        if (earlier) {
          if (earlier.to_user_id !== to.id || earlier.card !== input.card)
            throw new CampaignError('request_id_reused', `request_id '${requestId}' was already used for another gift`);
          return { toUserId: to.id };
        }
        await requireOpen(tx, campaignId, nowMs);
        const taken = await tx.run('UPDATE campaign_cards SET held = held - 1 WHERE campaign_id = ? AND user_id = ? AND kind = ? AND held > 0', [
          campaignId,
          fromUserId,
          input.card,
        ]);
        if (taken.changes === 0) throw new CampaignError('card_not_held', `you hold no ${input.card} card`);
        await addCard(tx, campaignId, to.id, input.card);
        await tx.run('INSERT INTO campaign_gifts (campaign_id, from_user_id, request_id, to_user_id, card, at) VALUES (?, ?, ?, ?, ?, ?)', [
          campaignId,
          fromUserId,
          requestId,
          to.id,
          input.card,
          BigInt(nowMs),
        ]);
        return { toUserId: to.id };
      }),
    );
  }

  /**
   * The reveal: closes the campaign and fixes each complete set's prize (once), then pays the
   * winners batch by batch. Safe to call again at any point, also after a crash: what was paid
   * stays paid, the rest is paid once.
   */
  async reveal(campaignId: string, options: RevealOptions = {}): Promise<RevealSummary> {
    await this.requireCampaign(campaignId);
    await this.runner.run(startRevealStep(campaignId, this.random));
    let batches = 0;
    let loggedTenths = -1;
    // A keyset cursor over the winners' sequence: each batch reads from where the last one ended,
    // so a batch costs the same at the millionth winner as at the first (never a scan from the start).
    let cursor = 0;
    for (;;) {
      if (options.maxBatches !== undefined && batches >= options.maxBatches) break;
      const next = await this.db.all<{ seq: bigint; user_id: string }>(
        'SELECT seq, user_id FROM campaign_winners WHERE campaign_id = ? AND paid = 0 AND seq >= ? ORDER BY seq LIMIT ?',
        [campaignId, cursor, this.payoutBatch],
      );
      if (next.length === 0) break;
      const last = Number(next[next.length - 1].seq);
      // Winners' wallets exist before their batch's commit (opening one is idempotent), opened together.
      await this.wallet.ensureWallets(next.map((w) => w.user_id));
      await this.runner.run(payoutStep(campaignId, Number(next[0].seq), last));
      cursor = last + 1;
      batches++;
      const progress = await this.progress(campaignId);
      // A line per tenth of the winners, so a million winners log ten lines, not two thousand.
      const tenths = Math.floor((progress.paidWinners * 10) / Math.max(1, progress.winners));
      if (tenths > loggedTenths) this.log(`campaign ${campaignId}: paid ${progress.paidWinners}/${progress.winners} winners, ${progress.paidMinor} fen`);
      loggedTenths = Math.max(loggedTenths, tenths);
      options.progress?.(progress);
    }
    await this.runner.run(finishRevealStep(campaignId));
    return this.progress(campaignId);
  }

  /** The reveal job: every campaign past its reveal time, or left mid-reveal, revealed; returns how many finished. */
  async revealDue(): Promise<number> {
    const due = await this.db.all<{ campaign_id: string }>(
      "SELECT campaign_id FROM campaign_campaigns WHERE (status = 'open' AND reveal_at <= ?) OR status = 'revealing' ORDER BY reveal_at",
      [BigInt(this.clock.now())],
    );
    let finished = 0;
    for (const c of due) if ((await this.reveal(c.campaign_id)).status === 'revealed') finished++;
    return finished;
  }

  /** When the next campaign is to be revealed (clock ms), or null. */
  async nextRevealDue(): Promise<number | null> {
    const row = await this.db.get<{ due: bigint | null }>("SELECT MIN(reveal_at) AS due FROM campaign_campaigns WHERE status IN ('open', 'revealing')");
    return row?.due == null ? null : Number(row.due);
  }

  async progress(campaignId: string): Promise<RevealSummary> {
    const c = await this.requireCampaign(campaignId);
    return {
      campaignId,
      status: c.status,
      winners: Number(c.winner_count),
      paidWinners: Number(c.paid_count),
      paidMinor: c.paid_minor,
      remainderMinor: c.status === 'open' ? c.pool_minor : c.remainder_minor,
    };
  }

  private findCampaign(campaignId: string): Promise<CampaignRow | undefined> {
    return this.db.get<CampaignRow>('SELECT * FROM campaign_campaigns WHERE campaign_id = ?', [campaignId]);
  }

  private async requireCampaign(campaignId: string): Promise<CampaignRow> {
    const row = await this.findCampaign(campaignId);
    if (!row) throw new CampaignError('campaign_not_found', `no campaign '${campaignId}'`);
    return row;
  }
}

/** Cards change only while the campaign is open and before its reveal time. */
async function requireOpen(tx: SqlExecutor, campaignId: string, nowMs: number): Promise<void> {
  const c = await tx.get<{ status: string; reveal_at: bigint }>('SELECT status, reveal_at FROM campaign_campaigns WHERE campaign_id = ?', [campaignId]);
  if (c?.status !== 'open' || c.reveal_at <= BigInt(nowMs)) throw new CampaignError('campaign_closed', 'the campaign has closed for its reveal');
}

async function addCard(tx: SqlExecutor, campaignId: string, userId: string, card: CardKind): Promise<void> {
  await tx.run(
    'INSERT INTO campaign_cards (campaign_id, user_id, kind, held) VALUES (?, ?, ?, 1) ON CONFLICT (campaign_id, user_id, kind) DO UPDATE SET held = campaign_cards.held + 1',
    [campaignId, userId, card],
  );
}

function toRow(input: NewCampaign, now: number): CampaignRow {
  return {
    campaign_id: input.campaignId,
    name: input.name,
    pool_minor: input.poolMinor,
    card_odds: JSON.stringify(Object.fromEntries(CARD_KINDS.map((k) => [k, input.odds[k]]))),
    daily_card_cap: BigInt(input.dailyCardCap),
    reveal_at: BigInt(input.revealAt),
    split: input.split,
    status: 'open',
    winner_count: 0n,
    paid_count: 0n,
    paid_minor: 0n,
    remainder_minor: 0n,
    created_at: BigInt(now),
  };
}

/** The stored campaign when the request asked for the same terms; `campaign_exists` otherwise. */
function sameCampaign(stored: CampaignRow, asked: CampaignRow): CampaignSummary {
  const same =
    stored.name === asked.name &&
    stored.pool_minor === asked.pool_minor &&
    stored.card_odds === asked.card_odds &&
    stored.daily_card_cap === asked.daily_card_cap &&
    stored.reveal_at === asked.reveal_at &&
    stored.split === asked.split;
  if (!same) throw new CampaignError('campaign_exists', `campaign '${stored.campaign_id}' exists with other terms`);
  return toSummary(stored);
}

function toSummary(c: CampaignRow): CampaignSummary {
  return {
    campaignId: c.campaign_id,
    name: c.name,
    poolMinor: c.pool_minor,
    currency: PLATFORM_CURRENCY.code,
    odds: JSON.parse(c.card_odds) as CardOdds,
    dailyCardCap: Number(c.daily_card_cap),
    revealAt: Number(c.reveal_at),
    split: c.split,
    status: c.status,
  };
}
