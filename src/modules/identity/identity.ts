// The identity service: users (phone, name, password), sessions, real-name evidence and the level
// derived from it. Its tables are its own; other modules ask this service, never the tables.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { IdentityError } from './identity-errors.ts';
import { deriveLevel, type Evidence, IN_PERSON_SOURCE, type Level, mayInvest } from './identity-levels.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.ts';

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
// One statement per migration step keeps both drivers happy (pg runs one, SQLite exec runs all).
const MIGRATIONS = { sqlite: [TABLES.join(';\n')], postgres: [TABLES.join(';\n')] };

const SESSION_TTL_MS = 30 * 24 * 3600 * 1000;

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

const sha256hex = (text: string) => createHash('sha256').update(text).digest('hex');

export class IdentityService {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  static async open(db: SqlDatabase, clock: Clock, ids: IdSource): Promise<IdentityService> {
    await db.migrate('identity', MIGRATIONS);
    return new IdentityService(db, clock, ids);
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

  /** A new session token; only its hash is kept. */
  async login(input: { phone: string; password: string }): Promise<{ token: string; userId: string; expiresAt: number }> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE phone = ?', [input.phone]);
    const ok = await verifyPassword(input.password, row?.password_hash ?? DUMMY_HASH);
    if (!row || !ok) throw new IdentityError('invalid_credentials', 'phone or password is wrong');
    const token = `fst_${randomBytes(32).toString('base64url')}`;
    const now = this.clock.now();
    const expiresAt = now + SESSION_TTL_MS;
    await this.db.run('INSERT INTO identity_sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
      sha256hex(token),
      row.id,
      BigInt(now),
      BigInt(expiresAt),
    ]);
    return { token, userId: row.id, expiresAt };
  }

  /** The user a session token belongs to; refuses missing, unknown and expired tokens alike. */
  async authenticate(token: string | undefined): Promise<string> {
    if (!token) throw new IdentityError('session_invalid', 'a session Bearer token is required (POST /v1/sessions)');
    const row = await this.db.get<{ user_id: string; expires_at: bigint }>(
      'SELECT user_id, expires_at FROM identity_sessions WHERE token_hash = ?',
      [sha256hex(token)],
    );
    if (!row || row.expires_at <= BigInt(this.clock.now())) throw new IdentityError('session_invalid', 'the session token is unknown or expired');
    return row.user_id;
  }

  async getUser(id: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [id]);
    return row && toUser(row);
  }

  async requireUser(id: string): Promise<User> {
    const user = await this.getUser(id);
    if (!user) throw new IdentityError('user_not_found', `no user '${id}'`);
    return user;
  }

  async findByPhone(phone: string): Promise<User | undefined> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE phone = ?', [phone]);
    return row && toUser(row);
  }

  /** Records evidence from a remote source (or an operator's in-person check); idempotent per source. */
  async addEvidence(userId: string, evidence: Evidence & { reference: string; verifiedBy: 'user' | 'operator' }): Promise<Level> {
    await this.requireUser(userId);
    const granted = evidence.source === IN_PERSON_SOURCE ? (evidence.grantedLevel ?? 'II') : '';
    await this.db.run(
      `INSERT INTO identity_verifications (user_id, source, granted_level, reference, verified_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, source, granted_level) DO NOTHING`,
      [userId, evidence.source, granted, evidence.reference, evidence.verifiedBy, BigInt(this.clock.now())],
    );
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
    return deriveLevel(await this.verifications(userId));
  }

  async profile(userId: string): Promise<Profile> {
    const row = await this.db.get<UserRow>('SELECT * FROM identity_users WHERE id = ?', [userId]);
    if (!row) throw new IdentityError('user_not_found', `no user '${userId}'`);
    const verifications = await this.verifications(userId);
    const level = deriveLevel(verifications);
    return { ...toUser(row), level, mayInvest: mayInvest(level), hasPaymentPin: row.pin_hash !== null, verifications };
  }

  /** The payment PIN is the second factor of a payment (the password being the first). */
  async setPaymentPin(userId: string, pin: string): Promise<void> {
    await this.requireUser(userId);
    await this.db.run('UPDATE identity_users SET pin_hash = ? WHERE id = ?', [await hashPassword(pin), userId]);
  }

  async checkPaymentPin(userId: string, pin: string): Promise<boolean> {
    const row = await this.db.get<{ pin_hash: string | null }>('SELECT pin_hash FROM identity_users WHERE id = ?', [userId]);
    return verifyPassword(pin, row?.pin_hash ?? DUMMY_HASH);
  }
}

function toUser(row: UserRow): User {
  return { id: row.id, phone: row.phone, name: row.name, createdAt: Number(row.created_at) };
}
