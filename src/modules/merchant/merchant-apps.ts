// Merchants and their apps: registration (with the merchant's CNY settlement account on the ledger),
// key rotation, the app directory the gateway authenticates against, and the lookup the trade
// service reads fees, notify URLs and settlement accounts from.
import { randomInt } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { AccountFlag } from '../../ledger/index.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { AccountCode, merchantSettlementAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { MerchantApplications } from './merchant-applications.ts';
import { MerchantAudit } from './merchant-audit.ts';
import { MerchantError } from './merchant-errors.ts';
import { canonicalPublicKey } from './merchant-keys.ts';
import { MERCHANT_MIGRATIONS } from './merchant-schema.ts';
import type { MerchantAppDirectory } from './protocol/directory.ts';
import { MerchantStaff, type UserDirectory } from './merchant-staff.ts';
import { SqlNonceStore } from './sql-nonce-store.ts';
import type { MerchantLookup } from './trade-port.ts';
import type { MerchantInfo } from './trade-port.ts';

export interface Merchant extends MerchantInfo {
  appId: string;
  name: string;
  createdAtMs: number;
}

export interface NewMerchant {
  name: string;
  publicKeyPem: string;
  feeBps: number;
  notifyUrl?: string;
  /** The owner's user id: on the staff as `owner` from the start. */
  ownerUserId?: string;
  /** Who registers it: `operator`, or the applicant's user id. */
  actor?: string;
}

/** More writes that commit with the merchant's row (an application marked approved). */
export type WithMerchant = (tx: SqlExecutor, merchantId: string) => Promise<void>;

interface MerchantRow extends Record<string, unknown> {
  merchant_id: string;
  app_id: string;
  name: string;
  public_key: string;
  fee_bps: bigint;
  notify_url: string | null;
  settlement_account_id: string;
  created_at: bigint;
}

const COLUMNS = 'merchant_id, app_id, name, public_key, fee_bps, notify_url, settlement_account_id, created_at';
const MAX_FEE_BPS = 10_000;

function toMerchant(row: MerchantRow): Merchant {
  return {
    merchantId: row.merchant_id,
    appId: row.app_id,
    name: row.name,
    feeBps: Number(row.fee_bps),
    notifyUrl: row.notify_url ?? undefined,
    settlementAccountId: row.settlement_account_id,
    createdAtMs: Number(row.created_at),
  };
}

/** App ids look like the ones merchants already configure: 16 digits. */
function newAppId(): string {
  return `2026${String(randomInt(0, 1_000_000)).padStart(6, '0')}${String(randomInt(0, 1_000_000)).padStart(6, '0')}`;
}

export class MerchantService implements MerchantAppDirectory, MerchantLookup {
  /** Replay protection for version 3 requests, in the shared database. */
  readonly nonces: SqlNonceStore;
  readonly audit: MerchantAudit;
  /** Owner and staff, and the role check of every merchant console route. */
  readonly staff: MerchantStaff;
  /** Self-service applications an operator approves or rejects. */
  readonly applications: MerchantApplications;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    users: UserDirectory,
    log: AuditLog,
  ) {
    this.nonces = new SqlNonceStore(db);
    this.audit = new MerchantAudit(clock, ids, log);
    this.staff = new MerchantStaff(db, clock, users, this.audit);
    this.applications = new MerchantApplications(db, clock, ids, this.audit, (input, within) => this.create(input, within));
  }

  static async open(deps: {
    db: SqlDatabase;
    engine: LedgerEngine;
    clock: Clock;
    ids: IdSource;
    users: UserDirectory;
    audit: AuditLog;
  }): Promise<MerchantService> {
    await deps.db.migrate('merchant', MERCHANT_MIGRATIONS);
    const service = new MerchantService(deps.db, deps.engine, deps.clock, deps.ids, deps.users, deps.audit);
    return service;
  }

  async create(input: NewMerchant, within?: WithMerchant): Promise<Merchant> {
    const publicKey = canonicalPublicKey(input.publicKeyPem);
    if (!Number.isInteger(input.feeBps) || input.feeBps < 0 || input.feeBps > MAX_FEE_BPS) throw new RangeError('fee_bps out of range');
    const merchantId = this.ids.next('mch');
    const settlementAccountId = merchantSettlementAccountId(merchantId);
    // The account first: a merchant row never names an account the ledger lacks.
    await this.engine.ensureAccount({
      id: settlementAccountId,
      ledger: PLATFORM_CURRENCY.ledger,
      code: AccountCode.merchantSettlement,
      // A liability to the merchant: refunds and fees can never take more than was paid in.
      flags: AccountFlag.debits_must_not_exceed_credits,
      userData: merchantId,
    });
    const now = BigInt(this.clock.now());
    const actor = input.actor ?? 'operator';
    // The merchant, its owner and the audit line commit together: no merchant is ever ownerless by accident.
    const appId = await this.db.transaction(async (tx) => {
      const appId = await this.insertWithFreshAppId(tx, (appId) => [
        merchantId,
        appId,
        input.name,
        publicKey,
        BigInt(input.feeBps),
        input.notifyUrl ?? null,
        settlementAccountId,
        now,
        now,
      ]);
      await this.audit.record(tx, { merchantId, actor, kind: 'merchant_created', detail: input.name });
      if (input.ownerUserId) await this.staff.insert(tx, merchantId, input.ownerUserId, 'owner', actor);
      await within?.(tx, merchantId);
      return appId;
    });
    return { merchantId, appId, name: input.name, feeBps: input.feeBps, notifyUrl: input.notifyUrl, settlementAccountId, createdAtMs: Number(now) };
  }

  /** Random app ids rarely collide; when one does, the unique index says so and another is drawn. */
  private async insertWithFreshAppId(tx: SqlExecutor, values: (appId: string) => (string | bigint | null)[]): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      const appId = newAppId();
      const inserted = await tx.run(
        `INSERT INTO merchants (${COLUMNS}, key_rotated_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active') ON CONFLICT (app_id) DO NOTHING`,
        values(appId),
      );
      if (inserted.changes > 0) return appId;
      if (attempt >= 5) throw new Error('could not allocate an app id');
    }
  }

  /** Replaces the app's key at once: requests signed with the old key fail from now on. */
  async rotateKey(merchantId: string, publicKeyPem: string, actor = 'operator'): Promise<Merchant> {
    const publicKey = canonicalPublicKey(publicKeyPem);
    await this.db.transaction(async (tx) => {
      const changed = await tx.run('UPDATE merchants SET public_key = ?, key_rotated_at = ? WHERE merchant_id = ?', [
        publicKey,
        BigInt(this.clock.now()),
        merchantId,
      ]);
      if (changed.changes === 0) throw new MerchantError('merchant_not_found', `no merchant ${merchantId}`);
      await this.audit.record(tx, { merchantId, actor, kind: 'key_rotated' });
    });
    return this.require(merchantId);
  }

  async get(merchantId: string): Promise<Merchant | undefined> {
    const row = await this.db.get<MerchantRow>(`SELECT ${COLUMNS} FROM merchants WHERE merchant_id = ?`, [merchantId]);
    return row ? toMerchant(row) : undefined;
  }

  async require(merchantId: string): Promise<Merchant> {
    const merchant = await this.get(merchantId);
    if (!merchant) throw new MerchantError('merchant_not_found', `no merchant ${merchantId}`);
    return merchant;
  }

  /** A page of merchants in registration order (ids are time-sortable), for the operator's console. */
  async list(page: { limit: number; after?: string }): Promise<{ merchants: Merchant[]; next: string | null }> {
    const rows = await this.db.all<MerchantRow>(`SELECT ${COLUMNS} FROM merchants WHERE merchant_id > ? ORDER BY merchant_id LIMIT ?`, [
      page.after ?? '',
      page.limit + 1,
    ]);
    const merchants = rows.slice(0, page.limit).map(toMerchant);
    return { merchants, next: rows.length > page.limit ? merchants[merchants.length - 1].merchantId : null };
  }

  async byAppId(appId: string): Promise<Merchant | undefined> {
    const row = await this.db.get<MerchantRow>(`SELECT ${COLUMNS} FROM merchants WHERE app_id = ? AND status = 'active'`, [appId]);
    return row ? toMerchant(row) : undefined;
  }

  /** MerchantLookup, for the trade service. */
  async merchant(merchantId: string): Promise<MerchantInfo | undefined> {
    const m = await this.get(merchantId);
    return m && { merchantId: m.merchantId, feeBps: m.feeBps, notifyUrl: m.notifyUrl, settlementAccountId: m.settlementAccountId, appId: m.appId };
  }

  /** MerchantAppDirectory, for the gateway. */
  async findPublicKey(appId: string): Promise<string | undefined> {
    const row = await this.db.get<{ public_key: string }>("SELECT public_key FROM merchants WHERE app_id = ? AND status = 'active'", [appId]);
    return row?.public_key;
  }
}
