// The funds an operator runs and the income their manager publishes: creation (with the fund's
// ledger accounts), the daily income per 10,000 shares, and the 7-day annualized yield history.
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { addDays } from './fund-calendar.ts';
import { FundError } from './fund-errors.ts';
import { sevenDayYield, YIELD_WINDOW_DAYS } from './fund-income.ts';
import { fundAccounts } from './fund-ledger.ts';

/** Short enough that a holder's share account id fits the ledger's 64 characters. */
const FUND_ID = /^[a-z0-9][a-z0-9_-]{0,15}$/;

export interface FundInput {
  readonly fundId: string;
  readonly name: string;
  readonly manager: string;
  readonly custodian: string;
  readonly riskLevel: number;
  readonly dailyCapMinor: bigint | null;
}

export interface Fund extends FundInput {
  readonly lastAccruedDate: string;
}

export interface DailyYield {
  readonly date: string;
  readonly rE4: bigint;
  /** Null until the 7 calendar days ending on this date are all published. */
  readonly sevenDayYield: string | null;
}

interface FundRow extends Record<string, unknown> {
  fund_id: string;
  name: string;
  manager: string;
  custodian: string;
  risk_level: bigint | number;
  daily_cap_minor: bigint | null;
  last_accrued_date: string;
}

function toFund(row: FundRow): Fund {
  return {
    fundId: row.fund_id,
    name: row.name,
    manager: row.manager,
    custodian: row.custodian,
    riskLevel: Number(row.risk_level),
    dailyCapMinor: row.daily_cap_minor === null ? null : BigInt(row.daily_cap_minor),
    lastAccruedDate: row.last_accrued_date,
  };
}

const sameFund = (a: FundInput, b: FundInput) =>
  a.name === b.name && a.manager === b.manager && a.custodian === b.custodian && a.riskLevel === b.riskLevel && a.dailyCapMinor === b.dailyCapMinor;

export class FundCatalog {
  constructor(
    private readonly db: SqlDatabase,
    private readonly engine: LedgerEngine,
  ) {}

  /** Creates the fund and opens its accounts; the same fund again is answered as created, a different one refused. */
  async create(input: FundInput, nowMs: number): Promise<Fund> {
    if (!FUND_ID.test(input.fundId)) throw new FundError('invalid_fund', 'fund_id must be 1-16 lowercase letters, digits, "_" or "-"');
    if (!Number.isInteger(input.riskLevel) || input.riskLevel < 1 || input.riskLevel > 5) throw new FundError('invalid_fund', 'risk_level must be 1 to 5');
    for (const result of await this.engine.createAccounts(fundAccounts(input.fundId))) {
      if (result !== 'ok' && result !== 'exists') throw new Error(`cannot open the accounts of fund ${input.fundId}: ${result}`);
    }
    await this.db.run(
      `INSERT INTO fund_funds (fund_id, name, manager, custodian, risk_level, daily_cap_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (fund_id) DO NOTHING`,
      [input.fundId, input.name, input.manager, input.custodian, input.riskLevel, input.dailyCapMinor, BigInt(nowMs)],
    );
    const fund = await this.require(input.fundId);
    if (!sameFund(fund, input)) throw new FundError('fund_exists', `fund '${input.fundId}' exists with other terms`);
    return fund;
  }

  async get(fundId: string): Promise<Fund | undefined> {
    const row = await this.db.get<FundRow>('SELECT * FROM fund_funds WHERE fund_id = ?', [fundId]);
    return row && toFund(row);
  }

  async require(fundId: string): Promise<Fund> {
    const fund = await this.get(fundId);
    if (!fund) throw new FundError('fund_not_found', `no fund '${fundId}'`);
    return fund;
  }

  async list(): Promise<Fund[]> {
    return (await this.db.all<FundRow>('SELECT * FROM fund_funds ORDER BY fund_id')).map(toFund);
  }

  /** Publishes R for a date not in the future and not closed by an accrual; the same R again is a replay. */
  async publishIncome(fundId: string, date: string, rE4: bigint, today: string, nowMs: number): Promise<DailyYield> {
    await this.require(fundId);
    if (date > today) throw new FundError('invalid_date', `income for ${date} cannot be published before that day (today is ${today})`);
    if (!(await this.storedIncome(fundId, date))) {
      const closed = await this.db.get<{ date: string }>("SELECT date FROM fund_incomes WHERE fund_id = ? AND date > ? AND status <> 'published' LIMIT 1", [
        fundId,
        date,
      ]);
      if (closed) throw new FundError('income_date_closed', `income is already paid for ${closed.date}, after ${date}`);
      await this.db.run(
        "INSERT INTO fund_incomes (fund_id, date, r_e4, status, published_at) VALUES (?, ?, ?, 'published', ?) ON CONFLICT (fund_id, date) DO NOTHING",
        [fundId, date, rE4, BigInt(nowMs)],
      );
    }
    if ((await this.storedIncome(fundId, date)) !== rE4)
      throw new FundError('income_already_published', `income for ${date} is already published with another value`);
    const [day] = await this.yields(fundId, date, 1);
    return day;
  }

  private async storedIncome(fundId: string, date: string): Promise<bigint | undefined> {
    const row = await this.db.get<{ r_e4: bigint }>('SELECT r_e4 FROM fund_incomes WHERE fund_id = ? AND date = ?', [fundId, date]);
    return row && BigInt(row.r_e4);
  }

  /** The published days among the `days` calendar days ending on `through`, oldest first, each with its 7-day yield. */
  async yields(fundId: string, through: string, days: number): Promise<DailyYield[]> {
    const from = addDays(through, -(days - 1));
    const rows = await this.db.all<{ date: string; r_e4: bigint }>(
      'SELECT date, r_e4 FROM fund_incomes WHERE fund_id = ? AND date >= ? AND date <= ? ORDER BY date',
      [fundId, addDays(from, -(YIELD_WINDOW_DAYS - 1)), through],
    );
    const byDate = new Map(rows.map((r) => [r.date, BigInt(r.r_e4)]));
    return rows.filter((r) => r.date >= from).map((r) => ({ date: r.date, rE4: BigInt(r.r_e4), sevenDayYield: yieldOn(byDate, r.date) }));
  }

  /** The latest published day of each fund (null when none yet). */
  async latest(fundId: string, today: string): Promise<DailyYield | null> {
    const row = await this.db.get<{ date: string }>('SELECT MAX(date) AS date FROM fund_incomes WHERE fund_id = ? AND date <= ?', [fundId, today]);
    if (!row?.date) return null;
    const [day] = await this.yields(fundId, row.date, 1);
    return day ?? null;
  }
}

function yieldOn(byDate: ReadonlyMap<string, bigint>, date: string): string | null {
  const window: bigint[] = [];
  for (let back = YIELD_WINDOW_DAYS - 1; back >= 0; back--) {
    const r = byDate.get(addDays(date, -back));
    if (r === undefined) return null;
    window.push(r);
  }
  return sevenDayYield(window);
}
