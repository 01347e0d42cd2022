// The people of a merchant: an owner (named when an operator registers the merchant, or the
// applicant once approved) and the staff the owner adds by phone, each with one role. A user who is
// not on a merchant's staff cannot tell it from a merchant that does not exist.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { MerchantAudit } from './merchant-audit.ts';
import { MerchantError } from './merchant-errors.ts';
import { type MerchantAction, type MerchantRole, mayDo } from './merchant-roles.ts';

/** Finds users by phone; the identity service is one. */
export interface UserDirectory {
  findByPhone(phone: string): Promise<{ id: string; phone: string; name: string } | undefined>;
  getUser(id: string): Promise<{ id: string; phone: string; name: string } | undefined>;
}

export interface StaffMember {
  readonly merchantId: string;
  readonly userId: string;
  readonly role: MerchantRole;
  readonly addedAt: number;
}

interface StaffRow extends Record<string, unknown> {
  merchant_id: string;
  user_id: string;
  role: string;
  added_at: bigint;
}

const toMember = (r: StaffRow): StaffMember => ({ merchantId: r.merchant_id, userId: r.user_id, role: r.role as MerchantRole, addedAt: Number(r.added_at) });

export class MerchantStaff {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly users: UserDirectory,
    private readonly audit: MerchantAudit,
  ) {}

  /** The user behind a phone, for naming an owner; an unknown phone is refused. */
  async userByPhone(phone: string): Promise<string> {
    const user = await this.users.findByPhone(phone);
    if (!user) throw new MerchantError('user_not_found', `no user with phone ${phone}; they sign up first`);
    return user.id;
  }

  /** Writes a member on `tx` (registration and approval add the owner with the merchant itself). */
  async insert(tx: SqlExecutor, merchantId: string, userId: string, role: MerchantRole, actor: string): Promise<void> {
    const added = await tx.run(
      'INSERT INTO merchant_staff (merchant_id, user_id, role, added_by, added_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (merchant_id, user_id) DO NOTHING',
      [merchantId, userId, role, actor, BigInt(this.clock.now())],
    );
    if (added.changes === 0) throw new MerchantError('staff_exists', 'this user is already on the staff of this merchant');
    await this.audit.record(tx, { merchantId, actor, kind: 'staff_added', detail: `${userId} as ${role}` });
  }

  /** The owner adds someone by phone. */
  async add(merchantId: string, actor: string, phone: string, role: MerchantRole): Promise<StaffMember> {
    const userId = await this.userByPhone(phone);
    await this.db.transaction((tx) => this.insert(tx, merchantId, userId, role, actor));
    return this.require(merchantId, userId);
  }

  /** Removes a member; the last owner stays, so a merchant is never left without one. */
  async remove(merchantId: string, actor: string, userId: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const member = await tx.get<StaffRow>('SELECT * FROM merchant_staff WHERE merchant_id = ? AND user_id = ?', [merchantId, userId]);
      if (!member) throw new MerchantError('staff_not_found', `${userId} is not on this merchant's staff`);
      const owners = await tx.get<{ n: bigint }>("SELECT COUNT(*) AS n FROM merchant_staff WHERE merchant_id = ? AND role = 'owner'", [merchantId]);
      if (member.role === 'owner' && Number(owners?.n ?? 0) <= 1) throw new MerchantError('last_owner', 'a merchant keeps at least one owner');
      await tx.run('DELETE FROM merchant_staff WHERE merchant_id = ? AND user_id = ?', [merchantId, userId]);
      await this.audit.record(tx, { merchantId, actor, kind: 'staff_removed', detail: userId });
    });
  }

  async list(merchantId: string): Promise<StaffMember[]> {
    const rows = await this.db.all<StaffRow>('SELECT * FROM merchant_staff WHERE merchant_id = ? ORDER BY added_at, user_id', [merchantId]);
    return rows.map(toMember);
  }

  /** The merchants a user works for, with the role in each. */
  async merchantsOf(userId: string): Promise<StaffMember[]> {
    const rows = await this.db.all<StaffRow>('SELECT * FROM merchant_staff WHERE user_id = ? ORDER BY added_at, merchant_id', [userId]);
    return rows.map(toMember);
  }

  /** The user's membership if their role allows `action`: 404 for outsiders, 403 for a role that may not. */
  async authorize(userId: string, merchantId: string, action: MerchantAction): Promise<StaffMember> {
    const member = await this.find(merchantId, userId);
    if (!member) throw new MerchantError('merchant_not_found', `no merchant ${merchantId}`);
    if (!mayDo(member.role, action))
      throw new MerchantError('merchant_role_forbidden', `the ${member.role} role may not ${action.replaceAll('_', ' ')}`, { role: member.role });
    return member;
  }

  private async find(merchantId: string, userId: string): Promise<StaffMember | undefined> {
    const row = await this.db.get<StaffRow>('SELECT * FROM merchant_staff WHERE merchant_id = ? AND user_id = ?', [merchantId, userId]);
    return row && toMember(row);
  }

  private async require(merchantId: string, userId: string): Promise<StaffMember> {
    const member = await this.find(merchantId, userId);
    if (!member) throw new MerchantError('staff_not_found', `${userId} is not on this merchant's staff`);
    return member;
  }
}
