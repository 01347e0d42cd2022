// The real-name limits on balance payments, shared by every way money leaves a wallet balance
// (wallet transfers, trade payments, red packets). A payment's claim, the check of every limit and
// the count of usage are one step in the caller's transaction, so concurrent payments cannot both
// fit the last of a limit. A wallet transfer's claim is its own row; other payments claim under
// (user, kind, request id) in wallet_spending. A payment the ledger then refuses gives its amount
// back exactly once. Inside a write group the counters are written once for the whole group.
import type { Clock } from '../../engine/clock.ts';
import { formatMinor } from '../../money/amount.ts';
import type { Currency } from '../../money/currency.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import type { IdentityService } from '../identity/identity.ts';
import { type AuthStrength, type Limit, type LimitPolicy, limitsFor, periodKey } from '../identity/limits.ts';
import { UsageTally } from './usage-tally.ts';
import { WalletError } from './wallet-errors.ts';

/** What a balance payment is; part of its claim's key, so each kind has its own request ids. */
export type SpendKind = 'transfer' | 'trade' | 'red_packet';

export interface SpendKey {
  readonly userId: string;
  readonly kind: SpendKind;
  readonly requestId: string;
}

export interface SpendClaim extends SpendKey {
  readonly amountMinor: bigint;
}

export interface LimitUsage {
  readonly name: string;
  readonly period: string;
  readonly limitMinor: bigint;
  readonly usedMinor: bigint;
  readonly leftMinor: bigint;
}

interface ClaimRow extends Record<string, unknown> {
  amount_minor: bigint;
  day_key: string;
  year_key: string;
}

export class SpendingLimits {
  /** The usage counted by the open write group's payments, written once at its end. */
  readonly tally = new UsageTally();

  constructor(
    private readonly clock: Clock,
    private readonly identity: IdentityService,
    private readonly currency: Currency,
    readonly policy: LimitPolicy,
  ) {}

  /** The limits a payment by `userId` must fit; an unverified account may not pay out at all. */
  async payerLimits(userId: string, strength: AuthStrength): Promise<Limit[]> {
    const level = await this.identity.level(userId);
    if (level === 'none') {
      throw new WalletError('verification_required', 'an unverified account can receive money but not pay out; verify your identity first', {
        limit: 'unverified',
      });
    }
    return limitsFor(level, strength, this.policy);
  }

  /**
   * Inside `tx`: claims the key, checks every limit against what is used, and counts the amount
   * as used. False when the key was claimed before (a replay: nothing is counted again); throws
   * `limit_exceeded` (rolling the caller's transaction back) when a limit has too little left.
   */
  async claim(tx: SqlExecutor, claim: SpendClaim, limits: readonly Limit[]): Promise<boolean> {
    const now = this.clock.now();
    const inserted = await tx.run(
      `INSERT INTO wallet_spending (user_id, kind, request_id, amount_minor, day_key, year_key, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'counted', ?) ON CONFLICT (user_id, kind, request_id) DO NOTHING`,
      [claim.userId, claim.kind, claim.requestId, claim.amountMinor, periodKey('day', now), periodKey('year', now), BigInt(now)],
    );
    if (inserted.changes === 0) return false;
    await this.charge(tx, claim.userId, claim.amountMinor, limits);
    return true;
  }

  /**
   * Inside `tx`: checks every limit against what is used and counts `amountMinor` as used in
   * today's, this year's and the lifetime counters, for a payment whose own row holds its claim
   * (a wallet transfer). In a write group the counts are summed and written once at its end
   * (usage-tally.ts); groups take turns, also across PostgreSQL processes. Outside one, PostgreSQL
   * locks the payer's wallet row (which must exist) so one payer's checks take turns.
   */
  async charge(tx: SqlExecutor, userId: string, amountMinor: bigint, limits: readonly Limit[]): Promise<void> {
    const now = this.clock.now();
    const periods = [periodKey('day', now), periodKey('year', now), 'lifetime'];
    const gathered = this.tally.gathers(tx);
    if (!gathered && tx.dialect === 'postgres') await tx.get('SELECT user_id FROM wallet_accounts WHERE user_id = ? FOR UPDATE', [userId]);
    const used = await this.used(tx, userId, periods, gathered);
    for (const limit of limits) {
      const usedMinor = used.get(periodKey(limit.period, now)) ?? 0n;
      const left = limit.limitMinor > usedMinor ? limit.limitMinor - usedMinor : 0n;
      if (amountMinor > left) {
        throw this.limitExceeded({ name: limit.name, period: limit.period, limitMinor: limit.limitMinor, usedMinor, leftMinor: left }, amountMinor);
      }
    }
    await this.count(tx, userId, periods, amountMinor);
  }

  /** Inside `tx`: gives back a charge counted in the periods `keys` name (its payment failed); the caller makes sure it is once. */
  async uncharge(tx: SqlExecutor, userId: string, amountMinor: bigint, keys: { readonly dayKey: string; readonly yearKey: string }): Promise<void> {
    await this.count(tx, userId, [keys.dayKey, keys.yearKey, 'lifetime'], -amountMinor);
  }

  /** Each period's usage: what is stored, and what this write group has counted and not written yet. */
  private async used(tx: SqlExecutor, userId: string, periods: readonly string[], gathered: boolean): Promise<Map<string, bigint>> {
    const rows = await tx.all<{ period: string; used_minor: bigint }>(
      `SELECT period, used_minor FROM wallet_usage WHERE user_id = ? AND period IN (${periods.map(() => '?').join(', ')})`,
      [userId, ...periods],
    );
    const stored = new Map(rows.map((r) => [r.period, BigInt(r.used_minor)]));
    return new Map(periods.map((p) => [p, (stored.get(p) ?? 0n) + (gathered ? this.tally.pending(userId, p) : 0n)]));
  }

  /** Inside `tx`: gives a counted claim's amount back to the periods it was counted in, once. */
  async release(tx: SqlExecutor, key: SpendKey): Promise<boolean> {
    const row = await tx.get<ClaimRow>(
      "SELECT amount_minor, day_key, year_key FROM wallet_spending WHERE user_id = ? AND kind = ? AND request_id = ? AND status = 'counted'",
      [key.userId, key.kind, key.requestId],
    );
    if (!row) return false;
    const marked = await tx.run("UPDATE wallet_spending SET status = 'released' WHERE user_id = ? AND kind = ? AND request_id = ? AND status = 'counted'", [
      key.userId,
      key.kind,
      key.requestId,
    ]);
    if (marked.changes !== 1) return false;
    await this.uncharge(tx, key.userId, row.amount_minor, { dayKey: row.day_key, yearKey: row.year_key });
    return true;
  }

  /** What each limit has used and has left now. */
  async usage(tx: SqlExecutor, userId: string, limits: readonly Limit[]): Promise<LimitUsage[]> {
    const now = this.clock.now();
    const out: LimitUsage[] = [];
    for (const limit of limits) {
      const row = await tx.get<{ used_minor: bigint }>('SELECT used_minor FROM wallet_usage WHERE user_id = ? AND period = ?', [
        userId,
        periodKey(limit.period, now),
      ]);
      const used = row?.used_minor ?? 0n;
      const left = limit.limitMinor > used ? limit.limitMinor - used : 0n;
      out.push({ name: limit.name, period: limit.period, limitMinor: limit.limitMinor, usedMinor: used, leftMinor: left });
    }
    return out;
  }

  /** Adds `deltaMinor` to each period's usage: at the write group's end when `tx` is the group's, else now. */
  private async count(tx: SqlExecutor, userId: string, periods: readonly string[], deltaMinor: bigint): Promise<void> {
    if (this.tally.gathers(tx)) {
      for (const period of periods) this.tally.add(userId, period, deltaMinor);
      return;
    }
    for (const period of periods) {
      await tx.run(
        `INSERT INTO wallet_usage (user_id, period, used_minor) VALUES (?, ?, ?)
         ON CONFLICT (user_id, period) DO UPDATE SET used_minor = wallet_usage.used_minor + excluded.used_minor`,
        [userId, period, deltaMinor],
      );
    }
  }

  private limitExceeded(usage: LimitUsage, amountMinor: bigint): WalletError {
    const fmt = (minor: bigint) => formatMinor(minor, this.currency);
    const code = this.currency.code;
    return new WalletError(
      'limit_exceeded',
      `limit ${usage.name} exceeded: ${fmt(amountMinor)} asked, ${fmt(usage.usedMinor)} of ${fmt(usage.limitMinor)} ${code} used, ${fmt(usage.leftMinor)} left`,
      { limit: usage.name, period: usage.period, limit_amount: fmt(usage.limitMinor), used: fmt(usage.usedMinor), left: fmt(usage.leftMinor), currency: code },
    );
  }
}
