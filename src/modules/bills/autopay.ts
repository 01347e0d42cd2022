// Automatic monthly payments: a user authorizes a biller account to be paid each month, up to a
// cap, on a day of the month. A job on the clock runs each due autopay: it looks the bill up and
// pays it from the balance (one payment per autopay and month, by its request id), or leaves a
// notice when the bill exceeds the cap or the balance is too low. A biller that does not answer
// is asked again in an hour.
import type { Clock } from '../../engine/clock.ts';
import type { IdSource } from '../../engine/ids.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { monthOf, nextRunAt } from './autopay-schedule.ts';
import type { BillsService } from './bills.ts';
import { BillError } from './bills-errors.ts';

const RETRY_MS = 3_600_000;

export interface AutopayRow extends Record<string, unknown> {
  autopay_id: string;
  user_id: string;
  request_id: string;
  charge_inst: string;
  bill_key: string;
  cap_minor: bigint;
  day_of_month: bigint;
  status: 'active' | 'cancelled';
  next_run_at: bigint;
  created_at: bigint;
}

export interface NoticeRow extends Record<string, unknown> {
  autopay_id: string;
  month: string;
  kind: 'over_cap' | 'insufficient_funds';
  due_minor: bigint;
  cap_minor: bigint;
  created_at: bigint;
}

export interface AutopayInput {
  readonly chargeInst: string;
  readonly billKey: string;
  readonly capMinor: bigint;
  readonly dayOfMonth: number;
  readonly requestId?: string;
}

export class Autopays {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly ids: IdSource,
    private readonly bills: BillsService,
  ) {}

  /** Authorizes the account (looked up first, so a wrong key is refused now); idempotent on request_id. */
  async create(userId: string, input: AutopayInput): Promise<AutopayRow> {
    if (!Number.isInteger(input.dayOfMonth) || input.dayOfMonth < 1 || input.dayOfMonth > 28)
      throw new BillError('invalid_day_of_month', 'day_of_month is 1 to 28');
    if (input.capMinor < 1n) throw new BillError('invalid_amount', 'monthly_cap must be at least 0.01');
    await this.bills.lookup(input.chargeInst, input.billKey);
    const autopayId = this.ids.next('bap');
    const now = this.clock.now();
    await this.db.run(
      `INSERT INTO bill_autopays (autopay_id, user_id, request_id, charge_inst, bill_key, cap_minor, day_of_month, status, next_run_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?) ON CONFLICT (user_id, request_id) DO NOTHING`,
      [
        autopayId,
        userId,
        input.requestId ?? autopayId,
        input.chargeInst,
        input.billKey,
        input.capMinor,
        BigInt(input.dayOfMonth),
        BigInt(nextRunAt(now, input.dayOfMonth)),
        BigInt(now),
      ],
    );
    const row = (await this.db.get<AutopayRow>('SELECT * FROM bill_autopays WHERE user_id = ? AND request_id = ?', [userId, input.requestId ?? autopayId]))!;
    const same =
      row.charge_inst === input.chargeInst &&
      row.bill_key === input.billKey &&
      row.cap_minor === input.capMinor &&
      Number(row.day_of_month) === input.dayOfMonth;
    if (!same) throw new BillError('request_id_reused', 'request_id was used for another autopay');
    return row;
  }

  async cancel(userId: string, autopayId: string): Promise<void> {
    const changed = await this.db.run("UPDATE bill_autopays SET status = 'cancelled' WHERE autopay_id = ? AND user_id = ?", [autopayId, userId]);
    if (changed.changes === 0) throw new BillError('autopay_not_found', `no autopay ${autopayId}`);
  }

  list(userId: string): Promise<AutopayRow[]> {
    return this.db.all<AutopayRow>('SELECT * FROM bill_autopays WHERE user_id = ? ORDER BY created_at', [userId]);
  }

  notices(userId: string): Promise<NoticeRow[]> {
    return this.db.all<NoticeRow>('SELECT * FROM bill_notices WHERE user_id = ? ORDER BY created_at', [userId]);
  }

  /** Runs every autopay whose day has come; returns how many it ran. */
  async runDue(limit = 100): Promise<number> {
    const now = this.clock.now();
    const due = await this.db.all<AutopayRow>("SELECT * FROM bill_autopays WHERE status = 'active' AND next_run_at <= ? ORDER BY next_run_at LIMIT ?", [
      BigInt(now),
      limit,
    ]);
    for (const autopay of due) await this.run(autopay, now);
    return due.length;
  }

  async nextDue(): Promise<number | null> {
    const row = await this.db.get<{ at: bigint | null }>("SELECT MIN(next_run_at) AS at FROM bill_autopays WHERE status = 'active'");
    return row?.at == null ? null : Number(row.at);
  }

  private async run(autopay: AutopayRow, now: number): Promise<void> {
    const month = monthOf(Number(autopay.next_run_at));
    let next = nextRunAt(Number(autopay.next_run_at), Number(autopay.day_of_month));
    try {
      const bill = await this.bills.lookup(autopay.charge_inst, autopay.bill_key);
      if (bill.dueMinor > autopay.cap_minor) await this.notice(autopay, month, 'over_cap', bill.dueMinor);
      else if (bill.dueMinor > 0n) await this.pay(autopay, month, bill.dueMinor);
    } catch (error) {
      if (!(error instanceof BillError) || error.code !== 'biller_unavailable') throw error;
      next = now + RETRY_MS;
    }
    await this.db.run('UPDATE bill_autopays SET next_run_at = ? WHERE autopay_id = ?', [BigInt(next), autopay.autopay_id]);
  }

  private async pay(autopay: AutopayRow, month: string, dueMinor: bigint): Promise<void> {
    const input = {
      chargeInst: autopay.charge_inst,
      billKey: autopay.bill_key,
      amountMinor: dueMinor,
      currency: 'CNY',
      funding: 'balance',
      requestId: `autopay:${autopay.autopay_id}:${month}`,
      autopayId: autopay.autopay_id,
    };
    try {
      await this.bills.pay(autopay.user_id, input);
    } catch (error) {
      if (!(error instanceof BillError) || error.code !== 'insufficient_funds') throw error;
      await this.notice(autopay, month, 'insufficient_funds', dueMinor);
    }
  }

  private async notice(autopay: AutopayRow, month: string, kind: NoticeRow['kind'], dueMinor: bigint): Promise<void> {
    await this.db.run(
      `INSERT INTO bill_notices (autopay_id, month, user_id, kind, due_minor, cap_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (autopay_id, month) DO NOTHING`,
      [autopay.autopay_id, month, autopay.user_id, kind, dueMinor, autopay.cap_minor, BigInt(this.clock.now())],
    );
  }
}
