// The identity module's audit trail: logins (good and bad), sessions opened and revoked, password
// and PIN changes and resets, and registrations attempted for a phone that already has an owner. Append-only:
// nothing here updates or deletes a row. Each event also enters the platform audit log, in the
// same transaction, so the user's own trail and the chained log never disagree.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import type { AuditLog } from '../audit/audit-log.ts';

export const AUDIT_TABLES = [
  `CREATE TABLE identity_events (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, kind TEXT NOT NULL, detail TEXT NOT NULL,
     address TEXT NOT NULL, created_at BIGINT NOT NULL)`,
  'CREATE INDEX identity_events_user ON identity_events (user_id, created_at)',
];

export type IdentityEventKind =
  | 'login'
  | 'login_failed'
  | 'logout'
  | 'session_refreshed'
  | 'session_revoked'
  | 'password_changed'
  | 'payment_pin_set'
  | 'payment_pin_changed'
  | 'payment_pin_reset'
  | 'payment_pin_reset_refused'
  | 'password_reset'
  | 'registration_for_taken_phone';

export interface IdentityEvent {
  readonly id: string;
  readonly userId: string;
  readonly kind: IdentityEventKind;
  readonly detail: string;
  readonly address: string;
  readonly createdAt: number;
}

export class IdentityAudit {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly log: AuditLog,
  ) {}

  async record(userId: string, kind: IdentityEventKind, address: string, detail = ''): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run('INSERT INTO identity_events (id, user_id, kind, detail, address, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
        this.ids.next('iev'),
        userId,
        kind,
        detail,
        address,
        BigInt(this.clock.now()),
      ]);
      await this.log.append(tx, { kind: `identity.${kind}`, actor: userId, subject: userId, detail: detail ? `${detail} from ${address}` : `from ${address}` });
    });
  }

  /** A user's events, oldest first. */
  async list(userId: string): Promise<IdentityEvent[]> {
    const rows = await this.db.all<{ id: string; user_id: string; kind: string; detail: string; address: string; created_at: bigint }>(
      'SELECT * FROM identity_events WHERE user_id = ? ORDER BY created_at, id',
      [userId],
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      kind: r.kind as IdentityEventKind,
      detail: r.detail,
      address: r.address,
      createdAt: Number(r.created_at),
    }));
  }
}
