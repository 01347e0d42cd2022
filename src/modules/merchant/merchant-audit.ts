// The merchant module's audit trail: applications and decisions, staff added or removed, keys
// rotated, the payout account set, withdrawals asked for. Append-only.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import type { AuditLog } from '../audit/audit-log.ts';

export type MerchantEventKind =
  | 'application_submitted'
  | 'application_approved'
  | 'application_rejected'
  | 'merchant_created'
  | 'staff_added'
  | 'staff_removed'
  | 'key_rotated'
  | 'payout_account_set'
  | 'withdrawal_requested';

export interface MerchantEvent {
  readonly id: string;
  readonly merchantId: string;
  /** A user id, or `operator`. */
  readonly actor: string;
  readonly kind: MerchantEventKind;
  readonly detail: string;
  readonly createdAt: number;
}

interface EventRow extends Record<string, unknown> {
  id: string;
  merchant_id: string;
  actor: string;
  kind: string;
  detail: string;
  created_at: bigint;
}

export class MerchantAudit {
  constructor(
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly log: AuditLog,
  ) {}

  /** Written on `tx`, so the event commits with what it records. Applications not yet approved log under their own id. */
  /** `id` names an event that a replay must not record twice (a withdrawal's operation id). */
  /** Each event recorded for the first time also enters the platform audit log, on the same `tx`. */
  async record(tx: SqlExecutor, event: { merchantId: string; actor: string; kind: MerchantEventKind; detail?: string; id?: string }): Promise<void> {
    const { changes } = await tx.run(
      'INSERT INTO merchant_events (id, merchant_id, actor, kind, detail, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING',
      [event.id ?? this.ids.next('mev'), event.merchantId, event.actor, event.kind, event.detail ?? '', BigInt(this.clock.now())],
    );
    if (changes > 0) await this.log.append(tx, { kind: `merchant.${event.kind}`, actor: event.actor, subject: event.merchantId, detail: event.detail ?? '' });
  }

  async list(tx: SqlExecutor, merchantId: string): Promise<MerchantEvent[]> {
    const rows = await tx.all<EventRow>('SELECT * FROM merchant_events WHERE merchant_id = ? ORDER BY created_at, id', [merchantId]);
    return rows.map((r) => ({
      id: r.id,
      merchantId: r.merchant_id,
      actor: r.actor,
      kind: r.kind as MerchantEventKind,
      detail: r.detail,
      createdAt: Number(r.created_at),
    }));
  }
}
