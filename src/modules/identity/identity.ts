// The identity service: users (phone, name, password), sessions, real-name evidence and the level
// derived from it. Its tables are its own; other modules ask this service, never the tables.
import { BoundedCache } from '../../engine/bounded-cache.ts';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { AttemptThrottle, THROTTLE_TABLE, type ThrottlePolicy } from './attempt-throttle.ts';
import { AUDIT_TABLES, IdentityAudit } from './identity-audit.ts';
import { IdentityError } from './identity-errors.ts';
import { deriveLevel, type Evidence, IN_PERSON_SOURCE, type Level, mayInvest } from './identity-levels.ts';
import { EvidenceChecks, type EvidenceInput, type EvidenceVerdict, ID_NO_COLUMN } from './evidence.ts';
import { type IdentityAuthority, NO_AUTHORITY, NO_SMS_GATEWAY, type SmsGateway } from './external-sources.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';
import { Recovery } from './recovery.ts';
import { SMS_CODE_TABLE, SmsCodes } from './sms-codes.ts';
import { PaymentPins, PIN_COLUMNS } from './payment-pin.ts';
import { type IssuedSession, type Session, SESSION_COLUMNS, type SessionOrigin, Sessions } from './sessions.ts';

const TABLES = [
  `CREATE TABLE identity_users (
     id TEXT PRIMARY KEY, phone TEXT NOT NULL UNIQUE, name TEXT NOT NULL,
     password_hash TEXT NOT NULL, pin_hash TEXT, created_at BIGINT NOT NULL)`,
  `CREATE TABLE identity_sessions (
     token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)`,
  'CREATE INDEX identity_sessions_user ON identity_sessions (user_id)',
  `CREATE TABLE identity_verifications (
     user_id TEXT NOT NULL, source TEXT NOT NULL, granted_level TEXT NOT NULL DEFAULT '',
     reference TEXT NOT NULL, verified_by TEXT NOT NULL, created_at BIGINT NOT NULL,
     PRIMARY KEY (user_id, source, granted_level))`,
];
// Version 2: the PIN lock, attempt limits and the audit trail; version 3: sessions that end;
// version 4: SMS codes and the id number that checked evidence established.
const ATTEMPTS = [...PIN_COLUMNS, THROTTLE_TABLE, ...AUDIT_TABLES];
// One statement per migration step keeps both drivers happy (pg runs one, SQLite exec runs all).
const STEPS = [TABLES.join(';\n'), ATTEMPTS.join(';\n'), SESSION_COLUMNS.join(';\n'), [SMS_CODE_TABLE, ...ID_NO_COLUMN].join(';\n')];
const MIGRATIONS = { sqlite: STEPS, postgres: STEPS };

const HOUR_MS = 3600 * 1000;
/** Per phone: five tries, then waits from 30 s doubling to 15 minutes; forgotten after a quiet day. */
export const LOGIN_PHONE_POLICY: ThrottlePolicy = { free: 5, firstDelayMs: 30_000, maxDelayMs: HOUR_MS / 4, forgetAfterMs: 24 * HOUR_MS };
/** Per client address: room for a household or an office behind one address, then the same waits. */
export const LOGIN_ADDRESS_POLICY: ThrottlePolicy = { free: 20, firstDelayMs: 30_000, maxDelayMs: HOUR_MS / 4, forgetAfterMs: 24 * HOUR_MS };

/** Where a request came from, for attempt limits, sessions and the audit trail. */
export type RequestOrigin = SessionOrigin;
/** Calls from inside the process (the CLI, demo data). */
export const LOCAL_ORIGIN: RequestOrigin = { address: 'local' };

/** The external sources evidence is checked with; absent ones refuse as unavailable. */
export interface IdentitySources {
  readonly authority?: IdentityAuthority;
  readonly sms?: SmsGateway;
}

export interface User {
  readonly id: string;
  readonly phone: string;
  readonly name: string;
  readonly createdAt: number;
}

export interface Verification {
  readonly source: string;
  readonly grantedLevel: Level | null;
  readonly reference: string;
  readonly verifiedBy: 'user' | 'operator';
  readonly createdAt: number;
}

export interface Profile extends User {
  readonly level: Level;
  readonly mayInvest: boolean;
  readonly hasPaymentPin: boolean;
  readonly verifications: Verification[];
}

interface UserRow extends Record<string, unknown> {
  id: string;
  phone: string;
  name: string;
  password_hash: string;
  pin_hash: string | null;
  created_at: bigint;
}

/** Users (and levels) remembered per process. */
const USERS_CACHED = 100_000;

export class IdentityService {
  /** Attempt limits shared by every process on this database (logins, the operator token). */
  readonly attempts: AttemptThrottle;
  readonly audit: IdentityAudit;
  /** One-time codes sent by SMS (phone confirmation, resets). */
  readonly smsCodes: SmsCodes;
  /** Evidence checked by its source; the only way to a level besides an operator's check. */
  readonly evidence: EvidenceChecks;
  /** Password and PIN resets by SMS. */
  readonly recovery: Recovery;
  private readonly pins: PaymentPins;
  private readonly sessions: Sessions;
  /** Users by id and by phone: a user's id, phone and name never change (decision 18). */
  private readonly usersById = new BoundedCache<string, User>(USERS_CACHED);
  private readonly usersByPhone = new BoundedCache<string, User>(USERS_CACHED);
  /** Levels, only where this process is the database's one writer (the embedded store): evidence
   *  added elsewhere could not invalidate them. */
  private readonly levels: BoundedCache<string, Level> | null;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    log: AuditLog,
    sources: IdentitySources,
  ) {
    this.attempts = new AttemptThrottle(db, clock);
    this.audit = new IdentityAudit(db, clock, ids, log);
    this.pins = new PaymentPins(db, clock);
    this.sessions = new Sessions(db, clock, ids);
    this.levels = db.dialect === 'sqlite' ? new BoundedCache(USERS_CACHED) : null;
    this.smsCodes = new SmsCodes(db, clock, this.attempts, sources.sms ?? NO_SMS_GATEWAY);
    const changed = (userId: string) => this.levels?.delete(userId);
    const authority = sources.authority ?? NO_AUTHORITY;
    this.evidence = new EvidenceChecks({ db, clock, authority, sms: this.smsCodes, throttle: this.attempts, log, changed });
    this.recovery = new Recovery({ db, sms: this.smsCodes, throttle: this.attempts, pins: this.pins, sessions: this.sessions, audit: this.audit });
  }

  static async open(db: SqlDatabase, clock: Clock, ids: IdSource, log: AuditLog, sources: IdentitySources = {}): Promise<IdentityService> {
    await db.migrate('identity', MIGRATIONS);
    return new IdentityService(db, clock, ids, log, sources);
  }

  async register(input: { phone: string; password: string; name: string }): Promise<User> {
    const user: User = { id: this.ids.next('usr'), phone: input.phone, name: input.name, createdAt: this.clock.now() };
    const hash = await hashPassword(input.password);
    const { changes } = await this.db.run(
      'INSERT INTO identity_users (id, phone, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (phone) DO NOTHING',
      [user.id, user.phone, user.name, hash, BigInt(user.createdAt)],
    );
    if (changes === 0) throw new IdentityError('phone_taken', `phone ${input.phone} is already registered`);
    return user;
  }

  /**
   * Registration that does not tell whether a phone is taken: a taken phone gets the same answer
   * (with an id that belongs to no one) and its owner finds the attempt in their audit trail.
   */
  async signUp(input: { phone: string; password: string; name: string }, origin: RequestOrigin): Promise<{ userId: string; created: boolean }> {
    const outcome = await this.registerOrNot(input, origin);
    // Either way the phone gets a code (its owner may confirm it with it), so the answer and its
    // cost are the same; a code that could not be sent is asked for again after logging in.
    await this.smsCodes.send(input.phone, 'phone').catch((error: unknown) => {
      if (!(error instanceof IdentityError)) throw error;
    });
    return outcome;
  }

  private async registerOrNot(input: { phone: string; password: string; name: string }, origin: RequestOrigin) {
    try {
      return { userId: (await this.register(input)).id, created: true };
    } catch (error) {
      if (!(error instanceof IdentityError) || error.code !== 'phone_taken') throw error;
      const owner = await this.findByPhone(input.phone);
      if (owner) await this.audit.record(owner.id, 'registration_for_taken_phone', origin.address);
      return { userId: this.ids.next('usr'), created: false };
    }
  }

  /** A new code to confirm the user's phone (the carrier evidence). */
  async sendPhoneCode(userId: string): Promise<void> {
    await this.smsCodes.send((await this.requireUser(userId)).phone, 'phone');
  }

  /** Evidence for one source, answered with that source's verdict. */
  submitEvidence(userId: string, input: EvidenceInput, origin: RequestOrigin): Promise<EvidenceVerdict> {
    return this.evidence.submit(userId, input, origin.address);
  }

  /** A new session token (only its hash is kept); attempts are limited per phone and per address. */
  async login(input: { phone: string; password: string }, origin: RequestOrigin = LOCAL_ORIGIN): Promise<IssuedSession> {
    const addressKey = `login-address:${origin.address}`;
    const phoneKey = `login-phone:${input.phone}`;
    await this.attempts.admit(addressKey, LOGIN_ADDRESS_POLICY);
    try {
      await this.attempts.admit(phoneKey, LOGIN_PHONE_POLICY);
    } catch (error) {
      // Refused before any password was tried: it must not count against everyone at the address.
      await this.attempts.refund(addressKey);
      throw error;
    }
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE phone = ?', [input.phone]);
    const ok = await verifyPassword(input.password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) {
      if (row) await this.audit.record(row.id, 'login_failed', origin.address);
      throw new IdentityError('invalid_credentials', 'phone or password is wrong');
    }
    await this.attempts.forget(phoneKey);
    await this.attempts.refund(addressKey);
    const session = await this.sessions.open(row.id, origin);
    await this.audit.record(row.id, 'login', origin.address, session.id);
    return session;
  }

  /** The user a session token belongs to; refuses missing, unknown, ended and revoked tokens alike. */
  async authenticate(token: string | undefined): Promise<string> {
    return (await this.sessions.resolve(token)).userId;
  }

  /** The live session of a token (see authenticate). */
  session(token: string | undefined): Promise<Session> {
    return this.sessions.resolve(token);
  }

  /** Logout: the token stops working at once. */
  async logout(token: string | undefined, origin: RequestOrigin): Promise<void> {
    const session = await this.sessions.resolve(token);
    await this.sessions.revoke(session.userId, session.id);
    await this.audit.record(session.userId, 'logout', origin.address, session.id);
  }

  /** A new token for the same session, within its 7 days; the old token stops working. */
  async refreshSession(token: string | undefined, origin: RequestOrigin): Promise<IssuedSession> {
    const session = await this.sessions.refresh(token);
    await this.audit.record(session.userId, 'session_refreshed', origin.address, session.id);
    return session;
  }

  listSessions(userId: string): Promise<Session[]> {
    return this.sessions.list(userId);
  }

  async revokeSession(userId: string, sessionId: string, origin: RequestOrigin): Promise<void> {
    await this.sessions.revoke(userId, sessionId);
    await this.audit.record(userId, 'session_revoked', origin.address, sessionId);
  }

  /** Needs the old password (wrong ones count like logins); every other session of the user ends. */
  async changePassword(session: Session, input: { oldPassword: string; newPassword: string }, origin: RequestOrigin): Promise<void> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [session.userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${session.userId}'`);
    await this.requirePassword(row, input.oldPassword, origin);
    await this.db.run('UPDATE identity_users SET password_hash = ? WHERE id = ?', [await hashPassword(input.newPassword), row.id]);
    const ended = await this.sessions.revokeOthers(row.id, session.id);
    await this.audit.record(row.id, 'password_changed', origin.address, `${ended} other sessions ended`);
  }

  async getUser(id: string): Promise<User | undefined> {
    const known = this.usersById.get(id);
    if (known) return known;
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [id]);
    return row && this.remember(toUser(row));
  }

  async requireUser(id: string): Promise<User> {
    const user = await this.getUser(id);
    if (!user) throw new IdentityError('user_not_found', `no user '${id}'`);
    return user;
  }

  async findByPhone(phone: string): Promise<User | undefined> {
    const known = this.usersByPhone.get(phone);
    if (known) return known;
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE phone = ?', [phone]);
    return row && this.remember(toUser(row));
  }

  private remember(user: User): User {
    this.usersById.set(user.id, user);
    this.usersByPhone.set(user.phone, user);
    return user;
  }

  /**
   * Records an operator's in-person check (idempotent per level). Remote evidence never enters
   * here: it goes through submitEvidence, where its source decides.
   */
  async addEvidence(userId: string, evidence: Evidence & { reference: string; verifiedBy: 'operator' }): Promise<Level> {
    if (evidence.source !== IN_PERSON_SOURCE || evidence.verifiedBy !== 'operator')
      throw new IdentityError(
        'verification_source_unknown',
        "only an operator's in-person check is recorded directly; remote evidence is checked by its source",
      );
    await this.evidence.recordInPerson(userId, evidence.grantedLevel ?? 'II', evidence.reference);
    return this.level(userId);
  }

  async verifications(userId: string): Promise<Verification[]> {
    const rows = await this.db.all<{ source: string; granted_level: string; reference: string; verified_by: string; created_at: bigint }>(
      'SELECT source, granted_level, reference, verified_by, created_at FROM identity_verifications WHERE user_id = ? ORDER BY created_at, source',
      [userId],
    );
    return rows.map((r) => ({
      source: r.source,
      grantedLevel: r.granted_level ? (r.granted_level as Level) : null,
      reference: r.reference,
      verifiedBy: r.verified_by as 'user' | 'operator',
      createdAt: Number(r.created_at),
    }));
  }

  async level(userId: string): Promise<Level> {
    const known = this.levels?.get(userId);
    if (known) return known;
    const level = deriveLevel(await this.verifications(userId));
    this.levels?.set(userId, level);
    return level;
  }

  async profile(userId: string): Promise<Profile> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    const verifications = await this.verifications(userId);
    const level = deriveLevel(verifications);
    return { ...toUser(row), level, mayInvest: mayInvest(level), hasPaymentPin: row.pin_hash !== null, verifications };
  }

  /**
   * Sets the payment PIN, the second factor of a payment (the password being the first). A session
   * alone is not enough: replacing a PIN needs the current one (its wrong entries count towards the
   * lock), and a first PIN needs the password, so a stolen session cannot take the second factor.
   */
  async setPaymentPin(userId: string, input: { pin: string; currentPin?: string; password?: string }, origin: RequestOrigin): Promise<void> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    const replacing = row.pin_hash !== null;
    if (replacing) {
      if (input.currentPin === undefined) throw new IdentityError('current_pin_required', 'changing the payment PIN needs the current one (current_pin)');
      await this.pins.verify(userId, input.currentPin);
    } else {
      await this.requirePassword(row, input.password, origin);
    }
    await this.pins.set(userId, input.pin);
    await this.audit.record(userId, replacing ? 'payment_pin_changed' : 'payment_pin_set', origin.address);
  }

  /** True when `pin` is right; otherwise refuses with the attempts left, or the lock and its end. */
  async checkPaymentPin(userId: string, pin: string): Promise<boolean> {
    await this.pins.verify(userId, pin);
    return true;
  }

  /** The password again, for changes a session alone may not make; wrong ones count like logins. */
  private async requirePassword(row: UserRow, password: string | undefined, origin: RequestOrigin): Promise<void> {
    if (password === undefined) throw new IdentityError('password_required', 'this change needs the password');
    const phoneKey = `login-phone:${row.phone}`;
    await this.attempts.admit(phoneKey, LOGIN_PHONE_POLICY);
    if (!(await verifyPassword(password, row.password_hash))) {
      await this.audit.record(row.id, 'login_failed', origin.address, 'password re-entered for a change');
      throw new IdentityError('password_wrong', 'the password is wrong');
    }
    await this.attempts.forget(phoneKey);
  }
}

function toUser(row: UserRow): User {
  return { id: row.id, phone: row.phone, name: row.name, createdAt: Number(row.created_at) };
}
