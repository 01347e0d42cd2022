// One-time payment codes for in-store payment: the buyer shows one, the merchant scans it into
// alipay.trade.pay. Unguessable (random digits), short-lived, and consumed by exactly one payment.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { TradeError } from './trade-errors.ts';

/** Long enough to scan at a till, short enough that a photographed code is soon worthless. */
export const PAYCODE_TTL_MS = 2 * 60_000;
const RANDOM_DIGITS = 16;

export class Paycodes {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  async issue(userId: string): Promise<{ authCode: string; expiresAtMs: number }> {
    const expiresAtMs = this.clock.now() + PAYCODE_TTL_MS;
    for (;;) {
      // 28 + 16 digits: the length and prefix tills expect of a wallet's paycode.
      const authCode = `28${Array.from({ length: RANDOM_DIGITS }, () => randomInt(10)).join('')}`;
      const { changes } = await this.db.run('INSERT INTO trade_paycodes (auth_code, user_id, expires_at) VALUES (?, ?, ?) ON CONFLICT (auth_code) DO NOTHING', [
        authCode,
        userId,
        BigInt(expiresAtMs),
      ]);
      if (changes === 1) return { authCode, expiresAtMs };
    }
  }

  /** The user a live, unused code belongs to (a read: the code is used up by `consumeIn`). */
  async owner(authCode: string): Promise<string> {
    const row = await this.db.get<{ user_id: string }>('SELECT user_id FROM trade_paycodes WHERE auth_code = ? AND used_at IS NULL AND expires_at > ?', [
      authCode,
      BigInt(this.clock.now()),
    ]);
    if (!row) throw invalidCode();
    return row.user_id;
  }

  /** Uses the code up inside the caller's transaction (the payment's claim): once, while it lives. */
  async consumeIn(tx: SqlExecutor, authCode: string): Promise<void> {
    const now = BigInt(this.clock.now());
    const { changes } = await tx.run('UPDATE trade_paycodes SET used_at = ? WHERE auth_code = ? AND used_at IS NULL AND expires_at > ?', [now, authCode, now]);
    if (changes !== 1) throw invalidCode();
  }

  /** The user a live, unused code belongs to; the code is used up by this call. */
  async consume(authCode: string): Promise<string> {
    const userId = await this.owner(authCode);
    await this.db.transaction((tx) => this.consumeIn(tx, authCode));
    return userId;
  }
}

const invalidCode = () => new TradeError('PAYMENT_AUTH_CODE_INVALID', 'the payment code is unknown, used or expired');
