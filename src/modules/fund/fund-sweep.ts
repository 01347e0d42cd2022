// The automatic sweep of the idle balance: a user names a fund and a floor; once a day at 14:30 in
// Shanghai (before the 15:00 cut-off, so the money confirms on the next trading day) what the
// wallet holds above the floor is subscribed as an ordinary subscription. Its request id is the
// day's, so a rerun (the job after a crash, the sandbox clock stepping through) subscribes nothing
// twice. A refusal (suitability, the daily cap, too little above the floor) is kept on the setting.
import type { Clock } from '../../engine/clock.ts';
import type { LedgerStore } from '../../store/store.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { FundService } from './fund.ts';
import { addDays, shanghaiDate, startOfShanghaiDay } from './fund-calendar.ts';
import { FundError } from './fund-errors.ts';

/** 14:30 in Shanghai: half an hour before the cut-off. */
const SWEEP_AFTER_MS = (14 * 60 + 30) * 60_000;
const SWEEP_BATCH = 500;

export interface SweepSetting {
  readonly fundId: string;
  readonly floorMinor: bigint;
  readonly enabled: boolean;
  /** The last day the sweep ran for this user ('' before the first) and how it ended. */
  readonly lastSweptDate: string;
  readonly lastResult: string;
}

interface SweepRow extends Record<string, unknown> {
  user_id: string;
  fund_id: string;
  floor_minor: bigint;
  enabled: bigint | number;
  last_swept_date: string;
  last_result: string;
}

const toSetting = (r: SweepRow): SweepSetting => ({
  fundId: r.fund_id,
  floorMinor: BigInt(r.floor_minor),
  enabled: Number(r.enabled) === 1,
  lastSweptDate: r.last_swept_date,
  lastResult: r.last_result,
});

export class FundSweep {
  constructor(private readonly deps: { db: SqlDatabase; store: LedgerStore; clock: Clock; fund: FundService }) {}

  /** Turns the sweep on (checked now as a purchase would be, so a refusal shows at once) or off. */
  async set(userId: string, input: { fundId: string; floorMinor: bigint; enabled: boolean }): Promise<SweepSetting> {
    if (input.floorMinor < 0n) throw new FundError('invalid_fund', 'the floor cannot be negative');
    if (input.enabled) await this.deps.fund.requireMayBuy(userId, input.fundId);
    else await this.deps.fund.catalog.require(input.fundId);
    await this.deps.db.run(
      `INSERT INTO fund_sweeps (user_id, fund_id, floor_minor, enabled, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET fund_id = excluded.fund_id, floor_minor = excluded.floor_minor, enabled = excluded.enabled, updated_at = excluded.updated_at`,
      [userId, input.fundId, input.floorMinor, input.enabled ? 1 : 0, BigInt(this.deps.clock.now())],
    );
    return (await this.get(userId))!;
  }

  async get(userId: string): Promise<SweepSetting | undefined> {
    const row = await this.deps.db.get<SweepRow>('SELECT * FROM fund_sweeps WHERE user_id = ?', [userId]);
    return row && toSetting(row);
  }

  /** The job: once today's sweep time has come, every enabled sweep not yet run today; answers how many ran. */
  async sweepDue(): Promise<number> {
    const now = this.deps.clock.now();
    const today = shanghaiDate(now);
    if (now < startOfShanghaiDay(today) + SWEEP_AFTER_MS) return 0;
    let done = 0;
    for (;;) {
      const rows = await this.deps.db.all<SweepRow>('SELECT * FROM fund_sweeps WHERE enabled = 1 AND last_swept_date < ? ORDER BY user_id LIMIT ?', [
        today,
        SWEEP_BATCH,
      ]);
      if (rows.length === 0) return done;
      for (const row of rows) await this.sweepOne(row, today);
      done += rows.length;
    }
  }

  private async sweepOne(row: SweepRow, today: string): Promise<void> {
    const wallet = await this.deps.store.getAccount(walletAccountId(row.user_id));
    const available = (wallet?.creditsPosted ?? 0n) - (wallet?.debitsPosted ?? 0n) - (wallet?.debitsPending ?? 0n);
    const excess = available - BigInt(row.floor_minor);
    let result = 'nothing above the floor';
    if (excess > 0n) {
      try {
        const input = { fundId: row.fund_id, amountMinor: excess, currency: PLATFORM_CURRENCY.code, requestId: `sweep-${today}` };
        result = `subscribed ${(await this.deps.fund.subscribe(row.user_id, input)).subscriptionId}`;
      } catch (error) {
        if (!(error instanceof FundError)) throw error;
        result = error.code;
      }
    }
    await this.deps.db.run('UPDATE fund_sweeps SET last_swept_date = ?, last_result = ? WHERE user_id = ?', [today, result, row.user_id]);
  }

  /** Today's sweep time while an enabled sweep has not run today, else tomorrow's; null when none is on. */
  async nextDue(): Promise<number | null> {
    const today = shanghaiDate(this.deps.clock.now());
    const row = await this.deps.db.get<{ first: string | null }>('SELECT MIN(last_swept_date) AS first FROM fund_sweeps WHERE enabled = 1');
    if (typeof row?.first !== 'string') return null;
    const day = row.first < today ? today : addDays(today, 1);
    return startOfShanghaiDay(day) + SWEEP_AFTER_MS;
  }
}
