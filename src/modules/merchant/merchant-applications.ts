// Self-service merchant applications: a user applies with the business's name, its unified social
// credit code, a contact and the app's public key; the code is checked at once (credit-code.ts) and
// the result kept for the operator, who approves (the merchant is registered with the applicant as
// owner, in the same commit as the decision) or rejects with a note. Every step is audited.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { creditCodeProblem } from './credit-code.ts';
import type { Merchant, NewMerchant, WithMerchant } from './merchant-apps.ts';
import type { MerchantAudit } from './merchant-audit.ts';
import { MerchantError } from './merchant-errors.ts';
import { canonicalPublicKey } from './merchant-keys.ts';

export type ApplicationStatus = 'pending' | 'approved' | 'rejected';

export interface NewApplication {
  readonly name: string;
  readonly creditCode: string;
  readonly contactName: string;
  readonly publicKeyPem: string;
  readonly notifyUrl?: string;
}

export interface Application {
  readonly applicationId: string;
  readonly userId: string;
  readonly name: string;
  readonly creditCode: string;
  readonly contactName: string;
  readonly notifyUrl?: string;
  readonly status: ApplicationStatus;
  /** `passed`, or why the automatic check failed. */
  readonly checkResult: string;
  readonly merchantId?: string;
  readonly note: string;
  readonly createdAt: number;
  readonly decidedAt?: number;
}

export type Decision =
  | { readonly decision: 'approve'; readonly feeBps: number; readonly note: string }
  | { readonly decision: 'reject'; readonly note: string };

interface ApplicationRow extends Record<string, unknown> {
  application_id: string;
  user_id: string;
  name: string;
  credit_code: string;
  contact_name: string;
  public_key: string;
  notify_url: string | null;
  status: string;
  check_result: string;
  merchant_id: string | null;
  note: string;
  created_at: bigint;
  decided_at: bigint | null;
}

const PASSED = 'passed';

function toApplication(r: ApplicationRow): Application {
  return {
    applicationId: r.application_id,
    userId: r.user_id,
    name: r.name,
    creditCode: r.credit_code,
    contactName: r.contact_name,
    notifyUrl: r.notify_url ?? undefined,
    status: r.status as ApplicationStatus,
    checkResult: r.check_result,
    merchantId: r.merchant_id ?? undefined,
    note: r.note,
    createdAt: Number(r.created_at),
    decidedAt: r.decided_at === null ? undefined : Number(r.decided_at),
  };
}

export class MerchantApplications {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly audit: MerchantAudit,
    private readonly register: (input: NewMerchant, within: WithMerchant) => Promise<Merchant>,
  ) {}

  async submit(userId: string, input: NewApplication): Promise<Application> {
    const publicKey = canonicalPublicKey(input.publicKeyPem);
    const applicationId = this.ids.next('map');
    const check = creditCodeProblem(input.creditCode) ?? PASSED;
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO merchant_applications (application_id, user_id, name, credit_code, contact_name, public_key, notify_url, status, check_result, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        [applicationId, userId, input.name, input.creditCode, input.contactName, publicKey, input.notifyUrl ?? null, check, BigInt(this.clock.now())],
      );
      await this.audit.record(tx, { merchantId: applicationId, actor: userId, kind: 'application_submitted', detail: `check: ${check}` });
    });
    return this.require(applicationId);
  }

  async mine(userId: string): Promise<Application[]> {
    const rows = await this.db.all<ApplicationRow>('SELECT * FROM merchant_applications WHERE user_id = ? ORDER BY created_at, application_id', [userId]);
    return rows.map(toApplication);
  }

  async list(status: ApplicationStatus, limit = 100): Promise<Application[]> {
    const rows = await this.db.all<ApplicationRow>('SELECT * FROM merchant_applications WHERE status = ? ORDER BY created_at, application_id LIMIT ?', [
      status,
      limit,
    ]);
    return rows.map(toApplication);
  }

  /** The operator's decision. Approving needs a passed check; the merchant and the decision commit together. */
  async decide(applicationId: string, decision: Decision): Promise<Application> {
    const row = await this.requireRow(applicationId);
    if (row.status !== 'pending') throw new MerchantError('application_decided', `application ${applicationId} was already ${row.status}`);
    if (decision.decision === 'reject') {
      await this.db.transaction(async (tx) => {
        await this.markDecided(tx, applicationId, 'rejected', null, decision.note);
        await this.audit.record(tx, { merchantId: applicationId, actor: 'operator', kind: 'application_rejected', detail: decision.note });
      });
      return this.require(applicationId);
    }
    if (row.check_result !== PASSED) throw new MerchantError('application_check_failed', `the business check failed: ${row.check_result}`);
    const input: NewMerchant = {
      name: row.name,
      publicKeyPem: row.public_key,
      feeBps: decision.feeBps,
      notifyUrl: row.notify_url ?? undefined,
      ownerUserId: row.user_id,
    };
    await this.register(input, async (tx, merchantId) => {
      await this.markDecided(tx, applicationId, 'approved', merchantId, decision.note);
      await this.audit.record(tx, { merchantId: applicationId, actor: 'operator', kind: 'application_approved', detail: merchantId });
    });
    return this.require(applicationId);
  }

  /** Only a pending application changes: a second decision racing this one undoes its own commit. */
  private async markDecided(
    tx: Parameters<WithMerchant>[0],
    applicationId: string,
    status: ApplicationStatus,
    merchantId: string | null,
    note: string,
  ): Promise<void> {
    const changed = await tx.run(
      "UPDATE merchant_applications SET status = ?, merchant_id = ?, note = ?, decided_at = ? WHERE application_id = ? AND status = 'pending'",
      [status, merchantId, note, BigInt(this.clock.now()), applicationId],
    );
    if (changed.changes === 0) throw new MerchantError('application_decided', `application ${applicationId} was already decided`);
  }

  private async requireRow(applicationId: string): Promise<ApplicationRow> {
    const row = await this.db.get<ApplicationRow>('SELECT * FROM merchant_applications WHERE application_id = ?', [applicationId]);
    if (!row) throw new MerchantError('application_not_found', `no application ${applicationId}`);
    return row;
  }

  private async require(applicationId: string): Promise<Application> {
    return toApplication(await this.requireRow(applicationId));
  }
}
