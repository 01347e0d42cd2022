// Login sessions: a random token of which only the SHA-256 is kept, ended by 12 hours without use
// or 7 days after login, whichever comes first, and by logout, revocation or a password change.
// A refresh swaps the token (the old one stops working) within the same 7 days. Use is recorded
// at most every few minutes, so reading a session is not a write on every request.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { IdentityError } from './identity-errors.ts';

export const SESSION_IDLE_MS = 12 * 3600 * 1000;
export const SESSION_ABSOLUTE_MS = 7 * 24 * 3600 * 1000;
/** How stale `last_used_at` may get before a use writes it again (a small part of the idle time). */
const USE_RECORD_EVERY_MS = 5 * 60 * 1000;

/** Version 3: sessions get an id, a last use, a revocation and where they were opened. */
export const SESSION_COLUMNS = [
  // Sessions of the 30-day kind end with this version.
  'DELETE FROM identity_sessions',
  "ALTER TABLE identity_sessions ADD COLUMN id TEXT NOT NULL DEFAULT ''",
  'ALTER TABLE identity_sessions ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0',
  'ALTER TABLE identity_sessions ADD COLUMN revoked_at BIGINT NOT NULL DEFAULT 0',
  "ALTER TABLE identity_sessions ADD COLUMN address TEXT NOT NULL DEFAULT ''",
  "ALTER TABLE identity_sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT ''",
  'CREATE UNIQUE INDEX identity_sessions_id ON identity_sessions (id)',
];

export interface SessionOrigin {
  readonly address: string;
  readonly userAgent?: string;
}

export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** When it ends unless used again: the idle end, capped by the absolute one. */
  readonly expiresAt: number;
  /** The latest it can last, refreshes included. */
  readonly absoluteExpiresAt: number;
  readonly address: string;
  readonly userAgent: string;
}

export interface IssuedSession extends Session {
  readonly token: string;
}

interface SessionRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  created_at: bigint;
  last_used_at: bigint;
  expires_at: bigint;
  revoked_at: bigint;
  address: string;
  user_agent: string;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => `fst_${randomBytes(32).toString('base64url')}`;

function toSession(row: SessionRow): Session {
  const absolute = Number(row.expires_at);
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: Number(row.created_at),
    lastUsedAt: Number(row.last_used_at),
    expiresAt: Math.min(Number(row.last_used_at) + SESSION_IDLE_MS, absolute),
    absoluteExpiresAt: absolute,
    address: row.address,
    userAgent: row.user_agent,
  };
}

export class Sessions {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
  ) {}

  async open(userId: string, origin: SessionOrigin): Promise<IssuedSession> {
    const token = newToken();
    const now = this.clock.now();
    const row: SessionRow = {
      id: this.ids.next('ses'),
      user_id: userId,
      created_at: BigInt(now),
      last_used_at: BigInt(now),
      expires_at: BigInt(now + SESSION_ABSOLUTE_MS),
      revoked_at: 0n,
      address: origin.address,
      user_agent: origin.userAgent ?? '',
    };
    await this.db.run(
      `INSERT INTO identity_sessions (token_hash, id, user_id, created_at, last_used_at, expires_at, address, user_agent)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [hashOf(token), row.id, userId, row.created_at, row.last_used_at, row.expires_at, row.address, row.user_agent],
    );
    return { ...toSession(row), token };
  }

  /** The live session a token belongs to; missing, unknown, ended and revoked tokens are refused alike. */
  async resolve(token: string | undefined): Promise<Session> {
    if (!token) throw new IdentityError('session_invalid', 'a session Bearer token is required (POST /v1/sessions)');
    const row = await this.db.get<SessionRow>('SELECT * FROM identity_sessions WHERE token_hash = ?', [hashOf(token)]);
    const now = this.clock.now();
    const session = row && Number(row.revoked_at) === 0 ? toSession(row) : undefined;
    if (!session || session.expiresAt <= now) throw new IdentityError('session_invalid', 'the session token is unknown, expired or revoked');
    if (now - session.lastUsedAt >= USE_RECORD_EVERY_MS) {
      await this.db.run('UPDATE identity_sessions SET last_used_at = ? WHERE id = ? AND last_used_at < ?', [BigInt(now), session.id, BigInt(now)]);
      return { ...session, lastUsedAt: now, expiresAt: Math.min(now + SESSION_IDLE_MS, session.absoluteExpiresAt) };
    }
    return session;
  }

  /** A new token for a live session (the old one stops working); the 7-day end does not move. */
  async refresh(token: string | undefined): Promise<IssuedSession> {
    const session = await this.resolve(token);
    const fresh = newToken();
    const now = this.clock.now();
    const { changes } = await this.db.run('UPDATE identity_sessions SET token_hash = ?, last_used_at = ? WHERE token_hash = ? AND revoked_at = 0', [
      hashOf(fresh),
      BigInt(now),
      hashOf(token!),
    ]);
    // A concurrent refresh of the same token won: this one's token is already gone.
    if (changes === 0) throw new IdentityError('session_invalid', 'the session token is unknown, expired or revoked');
    return { ...session, lastUsedAt: now, expiresAt: Math.min(now + SESSION_IDLE_MS, session.absoluteExpiresAt), token: fresh };
  }

  /** A user's live sessions, newest first. */
  async list(userId: string): Promise<Session[]> {
    const now = this.clock.now();
    const rows = await this.db.all<SessionRow>(
      'SELECT * FROM identity_sessions WHERE user_id = ? AND revoked_at = 0 AND expires_at > ? ORDER BY created_at DESC, id DESC',
      [userId, BigInt(now)],
    );
    return rows.map(toSession).filter((s) => s.expiresAt > now);
  }

  /** Ends one of the user's sessions; another user's or an unknown id is not found. */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const { changes } = await this.db.run('UPDATE identity_sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at = 0', [
      BigInt(this.clock.now()),
      sessionId,
      userId,
    ]);
    if (changes === 0) throw new IdentityError('session_not_found', `no live session '${sessionId}'`);
  }

  /** Ends every session of the user but `keepId` (after a password change). */
  async revokeOthers(userId: string, keepId: string): Promise<number> {
    const { changes } = await this.db.run('UPDATE identity_sessions SET revoked_at = ? WHERE user_id = ? AND id <> ? AND revoked_at = 0', [
      BigInt(this.clock.now()),
      userId,
      keepId,
    ]);
    return changes;
  }
}
