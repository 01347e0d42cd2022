// The payment PIN, the second factor of payments: hashed like a password, and locked for three
// hours after five wrong entries. Each entry is counted before the hash is compared, so concurrent
// guesses cannot outrun the count; a right PIN clears it. Refusals name the attempts left and the
// end of a lock. Time is the injected clock.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { IdentityError } from './identity-errors.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';

export const PIN_MAX_ATTEMPTS = 5;
export const PIN_LOCK_MS = 3 * 3600 * 1000;

export const PIN_COLUMNS = [
  'ALTER TABLE identity_users ADD COLUMN pin_failures BIGINT NOT NULL DEFAULT 0',
  'ALTER TABLE identity_users ADD COLUMN pin_locked_until BIGINT NOT NULL DEFAULT 0',
];

interface PinRow extends Record<string, unknown> {
  pin_hash: string | null;
  pin_failures: bigint | number;
  pin_locked_until: bigint | number;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class PaymentPins {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  async isSet(userId: string): Promise<boolean> {
    return (await this.row(userId))?.pin_hash != null;
  }

  /** Resolves when `pin` is the user's PIN; otherwise refuses with the attempts left or the lock. */
  async verify(userId: string, pin: string): Promise<void> {
    const now = this.clock.now();
    // A lock that has ended starts a fresh count; a held lock, or the last attempts in flight, refuse.
    const { changes } = await this.db.run(
      `UPDATE identity_users SET pin_failures = CASE WHEN pin_locked_until > 0 THEN 1 ELSE pin_failures + 1 END, pin_locked_until = 0
       WHERE id = ? AND pin_locked_until <= ${now} AND (pin_locked_until > 0 OR pin_failures < ${PIN_MAX_ATTEMPTS})`,
      [userId],
    );
    const row = await this.row(userId);
    if (changes === 0) throw this.locked(row);
    if (await verifyPassword(pin, row?.pin_hash ?? DUMMY_HASH)) {
      await this.db.run('UPDATE identity_users SET pin_failures = 0 WHERE id = ?', [userId]);
      return;
    }
    const failures = Number(row?.pin_failures ?? PIN_MAX_ATTEMPTS);
    const left = Math.max(0, PIN_MAX_ATTEMPTS - failures);
    if (left > 0) throw new IdentityError('payment_pin_wrong', `the payment PIN is wrong; ${left} attempts left`, { attempts_left: String(left) });
    const until = now + PIN_LOCK_MS;
    await this.db.run(`UPDATE identity_users SET pin_locked_until = ${until} WHERE id = ? AND pin_locked_until < ${until}`, [userId]);
    throw new IdentityError('payment_pin_wrong', `the payment PIN is wrong; payments that need it are locked until ${iso(until)}`, {
      attempts_left: '0',
      locked_until: iso(until),
    });
  }

  async set(userId: string, pin: string): Promise<void> {
    await this.db.run('UPDATE identity_users SET pin_hash = ?, pin_failures = 0, pin_locked_until = 0 WHERE id = ?', [await hashPassword(pin), userId]);
  }

  private locked(row: PinRow | undefined): IdentityError {
    const until = Number(row?.pin_locked_until ?? 0);
    const when = until > this.clock.now() ? ` until ${iso(until)}` : ' while earlier attempts are checked';
    return new IdentityError('payment_pin_locked', `payments that need the payment PIN are locked${when}`, {
      attempts_left: '0',
      ...(until > this.clock.now() ? { locked_until: iso(until) } : {}),
    });
  }

  private row(userId: string): Promise<PinRow | undefined> {
    return this.db.get<PinRow>('SELECT pin_hash, pin_failures, pin_locked_until FROM identity_users WHERE id = ?', [userId]);
  }
}
