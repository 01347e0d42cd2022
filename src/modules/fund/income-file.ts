// The manager's income file: CSV with a header `fund_id,date,income_per_10k`, one published day per
// line (income per 10,000 shares in CNY with exactly 4 decimals, as the operator route takes it).
import { parse } from 'csv-parse/sync';
import { isCalendarDate } from './fund-calendar.ts';
import { FundError } from './fund-errors.ts';
import { parseIncomePer10k } from './fund-income.ts';

export interface PublishedIncome {
  readonly fundId: string;
  readonly date: string;
  readonly rE4: bigint;
}

interface FileRow {
  fund_id?: string;
  date?: string;
  income_per_10k?: string;
}

/** Every line of the file, checked; a malformed line refuses the whole file, naming its line. */
export function parseIncomeFile(csv: string): PublishedIncome[] {
  let rows: FileRow[];
  try {
    rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as FileRow[];
  } catch (error) {
    throw new FundError('invalid_income', `the income file is not CSV with a header fund_id,date,income_per_10k: ${(error as Error).message}`);
  }
  return rows.map((row, i) => {
    const line = i + 2;
    if (!row.fund_id || !row.date || !isCalendarDate(row.date) || row.income_per_10k === undefined)
      throw new FundError('invalid_income', `income file line ${line}: needs fund_id, a date YYYY-MM-DD and income_per_10k`);
    try {
      return { fundId: row.fund_id, date: row.date, rE4: parseIncomePer10k(row.income_per_10k) };
    } catch (error) {
      throw new FundError('invalid_income', `income file line ${line}: ${(error as Error).message}`);
    }
  });
}
