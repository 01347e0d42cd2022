// One-time SMS codes: confirming the phone at sign-up, resetting the payment PIN, resetting the
// password. Each code is kept hashed with its expiry (the injected clock) and the attempts left;
// a new code for the same phone and purpose replaces the last. Codes per phone are limited by the
// attempt throttle (429 with Retry-After), so neither the carrier's bill nor the phone's owner
// can be flooded, and each code takes at most five guesses.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { AttemptThrottle, ThrottlePolicy } from './attempt-throttle.ts';
import type { SmsGateway } from './external-sources.ts';
import { IdentityError } from './identity-errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const SMS_CODE_TTL_MS = 5 * 60_000;
export const SMS_CODE_ATTEMPTS = 5;
/** Per phone: five codes at once, then waits from 10 minutes doubling to an hour; forgotten after a quiet hour. */
export const SMS_PHONE_POLICY: ThrottlePolicy = { free: 5, firstDelayMs: 10 * 60_000, maxDelayMs: 3600_000, forgetAfterMs: 3600_000 };

export const SMS_CODE_TABLE = `CREATE TABLE identity_sms_codes (
  phone TEXT NOT NULL, purpose TEXT NOT NULL, code_hash TEXT NOT NULL, expires_at BIGINT NOT NULL,
  attempts_left BIGINT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (phone, purpose))`;

export type SmsPurpose = 'phone' | 'pin_reset' | 'password_reset';

/** The message, in both languages (the phone's language is not known). */
const TEXT: Record<SmsPurpose, (code: string) => string> = {
  phone: (c) => `【Formica】验证码 ${c}，用于确认手机号，5 分钟内有效。Formica code ${c} confirms your phone; it expires in 5 minutes.`,
  pin_reset: (c) => `【Formica】验证码 ${c}，用于重置支付密码，5 分钟内有效。Formica code ${c} resets your payment PIN; it expires in 5 minutes.`,
  password_reset: (c) => `【Formica】验证码 ${c}，用于重置登录密码，5 分钟内有效。Formica code ${c} resets your password; it expires in 5 minutes.`,
};

export class SmsCodes {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly throttle: AttemptThrottle,
    private readonly gateway: SmsGateway,
  ) {}

  /** Sends a new code (replacing any earlier one for this purpose), or refuses with 429 while the phone must wait. */
  async send(phone: string, purpose: SmsPurpose): Promise<void> {
    await this.throttle.admit(`sms-phone:${phone}`, SMS_PHONE_POLICY);
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const now = this.clock.now();
    await this.db.run(
      `INSERT INTO identity_sms_codes (phone, purpose, code_hash, expires_at, attempts_left, created_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
         attempts_left = excluded.attempts_left, created_at = excluded.created_at`,
      [phone, purpose, await hashPassword(code), BigInt(now + SMS_CODE_TTL_MS), BigInt(SMS_CODE_ATTEMPTS), BigInt(now)],
    );
    try {
      await this.gateway.send(phone, TEXT[purpose](code));
    } catch (error) {
      throw new IdentityError('sms_unavailable', `the SMS could not be sent (${(error as Error).message}); try again later`);
    }
  }

  /** Uses up the code when it is right; otherwise refuses with the attempts left, or as expired. */
  async consume(phone: string, purpose: SmsPurpose, code: string): Promise<void> {
    const now = this.clock.now();
    // The guess is counted before the hash is compared, so concurrent guesses cannot outrun the count.
    const { changes } = await this.db.run(
      `UPDATE identity_sms_codes SET attempts_left = attempts_left - 1 WHERE phone = ? AND purpose = ? AND attempts_left > 0 AND expires_at > ${now}`,
      [phone, purpose],
    );
    const row = await this.db.get<{ code_hash: string; attempts_left: bigint }>(
      'SELECT code_hash, attempts_left FROM identity_sms_codes WHERE phone = ? AND purpose = ?',
      [phone, purpose],
    );
    if (changes === 0 || !row) throw new IdentityError('sms_code_expired', 'no valid SMS code: it expired or took too many wrong attempts; ask for a new one');
    if (await verifyPassword(code, row.code_hash)) {
      // Only one of two concurrent right answers uses the code up.
      const used = await this.db.run('DELETE FROM identity_sms_codes WHERE phone = ? AND purpose = ? AND code_hash = ?', [phone, purpose, row.code_hash]);
      if (used.changes === 1) return;
      throw new IdentityError('sms_code_expired', 'this SMS code was used already; ask for a new one');
    }
    const left = Number(row.attempts_left);
    throw new IdentityError('sms_code_wrong', `the SMS code is wrong; ${left} attempts left`, { attempts_left: String(left) });
  }
}
