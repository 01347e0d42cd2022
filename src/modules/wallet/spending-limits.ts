// The real-name limits on balance payments, shared by every way money leaves a wallet balance
// (wallet transfers, trade payments). A payment claims its amount under (user, kind, request id)
// in the caller's SQL transaction: the claim, the check of every limit and the count of usage are
// one step, so concurrent payments cannot both fit the last of a limit. A payment the ledger then
// refuses releases its claim, which gives the amount back exactly once.
import type { Clock } from '../../engine/clock.ts';
import { formatMinor } from '../../money/amount.ts';
import type { Currency } from '../../money/currency.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import type { IdentityService } from '../identity/identity.ts';
import { type AuthStrength, type Limit, type LimitPolicy, limitsFor, periodKey } from '../identity/limits.ts';
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
   * The payer's row in wallet_accounts must exist: PostgreSQL locks it so one payer's checks take turns.
   */
  async claim(tx: SqlExecutor, claim: SpendClaim, limits: readonly Limit[]): Promise<boolean> {
    const now = this.clock.now();
    const inserted = await tx.run(
      `INSERT INTO wallet_spending (user_id, kind, request_id, amount_minor, day_key, year_key, status, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'counted', ?) ON CONFLICT (user_id, kind, request_id) DO NOTHING`,
      [claim.userId, claim.kind, claim.requestId, claim.amountMinor, periodKey('day', now), periodKey('year', now), BigInt(now)],
    );
    if (inserted.changes === 0) return false;
    // SQLite transactions already take turns; PostgreSQL needs the row lock.
    if (tx.dialect === 'postgres') await tx.get('SELECT user_id FROM wallet_accounts WHERE user_id = ? FOR UPDATE', [claim.userId]);
    // Count first, then check what each limit had left before this claim: three statements, not
    // six. A claim over a limit throws, and the caller's transaction (or savepoint) undoes the count.
    const usedAfter = await this.countReturning(tx, claim.userId, [periodKey('day', now), periodKey('year', now), 'lifetime'], claim.amountMinor);
    for (const limit of limits) {
      const used = (usedAfter.get(periodKey(limit.period, now)) ?? claim.amountMinor) - claim.amountMinor;
      const left = limit.limitMinor > used ? limit.limitMinor - used : 0n;
      if (claim.amountMinor > left) {
        throw this.limitExceeded({ name: limit.name, period: limit.period, limitMinor: limit.limitMinor, usedMinor: used, leftMinor: left }, claim.amountMinor);
      }
    }
    return true;
  }

  /** Adds `deltaMinor` to each period's usage; each period's usage after it. */
  private async countReturning(tx: SqlExecutor, userId: string, periods: readonly string[], deltaMinor: bigint): Promise<Map<string, bigint>> {
    const after = new Map<string, bigint>();
    for (const period of periods) {
      const row = await tx.get<{ used_minor: bigint }>(
        `INSERT INTO wallet_usage (user_id, period, used_minor) VALUES (?, ?, ?)
         ON CONFLICT (user_id, period) DO UPDATE SET used_minor = wallet_usage.used_minor + excluded.used_minor RETURNING used_minor`,
        [userId, period, deltaMinor],
      );
      if (!row) throw new Error(`usage of ${userId} in ${period} was not counted`);
      after.set(period, BigInt(row.used_minor));
    }
    return after;
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
    await this.count(tx, key.userId, [row.day_key, row.year_key, 'lifetime'], -row.amount_minor);
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

  private async count(tx: SqlExecutor, userId: string, periods: readonly string[], deltaMinor: bigint): Promise<void> {
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
