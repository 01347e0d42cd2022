// Getting back in with the phone: a forgotten password is reset with an SMS code (every session
// then ends); a forgotten payment PIN is reset with an SMS code and the id number on file, so a
// stolen session alone can do neither. Codes are limited by SmsCodes; wrong id numbers count on
// the attempt throttle (429 with Retry-After); every reset, and every refused one, is audited.
import type { SqlDatabase } from '../../store/sql.ts';
import type { AttemptThrottle, ThrottlePolicy } from './attempt-throttle.ts';
import { normalizeIdNo } from './evidence.ts';
import type { IdentityAudit } from './identity-audit.ts';
import { IdentityError } from './identity-errors.ts';
import { hashPassword } from './passwords.ts';
import type { PaymentPins } from './payment-pin.ts';
import type { Sessions } from './sessions.ts';
import { SMS_PHONE_POLICY, type SmsCodes } from './sms-codes.ts';

/** Per user: three wrong id numbers at once, then waits from 15 minutes doubling to a day. */
export const PIN_RESET_POLICY: ThrottlePolicy = { free: 3, firstDelayMs: 15 * 60_000, maxDelayMs: 24 * 3600_000, forgetAfterMs: 24 * 3600_000 };

export interface RecoveryDeps {
  readonly db: SqlDatabase;
  readonly sms: SmsCodes;
  readonly throttle: AttemptThrottle;
  readonly pins: PaymentPins;
  readonly sessions: Sessions;
  readonly audit: IdentityAudit;
}

export class Recovery {
  constructor(private readonly deps: RecoveryDeps) {}

  /** Sends a password reset code when the phone has an owner; the answer is the same either way. */
  async sendPasswordCode(phone: string): Promise<void> {
    const owner = await this.deps.db.get<{ id: string }>('SELECT id FROM identity_users WHERE phone = ?', [phone]);
    if (owner) await this.deps.sms.send(phone, 'password_reset');
    // The same throttle for phones nobody owns, so a 429 does not tell them apart.
    else await this.deps.throttle.admit(`sms-phone:${phone}`, SMS_PHONE_POLICY);
  }

  /** A new password for the phone's owner, with the code sent to it; every session ends. */
  async resetPassword(input: { phone: string; smsCode: string; newPassword: string }, address: string): Promise<void> {
    await this.deps.sms.consume(input.phone, 'password_reset', input.smsCode);
    const owner = await this.deps.db.get<{ id: string }>('SELECT id FROM identity_users WHERE phone = ?', [input.phone]);
    if (!owner) throw new IdentityError('sms_code_expired', 'no valid SMS code: ask for a new one');
    await this.deps.db.run('UPDATE identity_users SET password_hash = ? WHERE id = ?', [await hashPassword(input.newPassword), owner.id]);
    const ended = await this.deps.sessions.revokeOthers(owner.id, '');
    await this.deps.throttle.forget(`login-phone:${input.phone}`);
    await this.deps.audit.record(owner.id, 'password_reset', address, `${ended} sessions ended`);
  }

  async sendPinCode(userId: string): Promise<void> {
    await this.deps.sms.send(await this.phoneOf(userId), 'pin_reset');
  }

  /** A new payment PIN with the SMS code and the id number the user's evidence established; clears a PIN lock. */
  async resetPin(userId: string, input: { smsCode: string; idNo: string; pin: string }, address: string): Promise<void> {
    const key = `pin-reset:${userId}`;
    await this.deps.throttle.check(key);
    const row = await this.deps.db.get<{ phone: string; id_no: string | null }>('SELECT phone, id_no FROM identity_users WHERE id = ?', [userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    if (row.id_no === null)
      throw new IdentityError('id_number_not_on_file', 'no id number is verified yet: verify your identity first, or ask for a check in person');
    await this.deps.sms.consume(row.phone, 'pin_reset', input.smsCode);
    if (normalizeIdNo(input.idNo) !== row.id_no) {
      await this.deps.throttle.admit(key, PIN_RESET_POLICY);
      await this.deps.audit.record(userId, 'payment_pin_reset_refused', address, 'wrong id number');
      throw new IdentityError('id_number_wrong', 'the id number is not the one on file; ask for a new SMS code');
    }
    await this.deps.throttle.forget(key);
    await this.deps.pins.set(userId, input.pin);
    await this.deps.audit.record(userId, 'payment_pin_reset', address);
  }

  private async phoneOf(userId: string): Promise<string> {
    const row = await this.deps.db.get<{ phone: string }>('SELECT phone FROM identity_users WHERE id = ?', [userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    return row.phone;
  }
}
