// The manager's income file: every line read exactly, a malformed one refusing the whole file by its line number.
import { describe, expect, it } from 'vitest';
import { parseIncomeFile } from './income-file.ts';

describe('the income file', () => {
  it('reads each published day, income per 10,000 shares in 0.0001 CNY', () => {
    const csv = 'fund_id,date,income_per_10k\nmmf,2026-03-06,1.2345\r\nmmf,2026-03-07,0.0001\n\nbond,2026-03-06,12.0000\n';
    expect(parseIncomeFile(csv)).toEqual([
      { fundId: 'mmf', date: '2026-03-06', rE4: 12_345n },
      { fundId: 'mmf', date: '2026-03-07', rE4: 1n },
      { fundId: 'bond', date: '2026-03-06', rE4: 120_000n },
    ]);
  });

  it.each([
    ['fund_id,date,income_per_10k\nmmf,2026-02-30,1.2345\n', 'line 2'],
    ['fund_id,date,income_per_10k\nmmf,2026-03-06,1.2345\nmmf,2026-03-07,1.23\n', 'line 3'],
    ['fund_id,date\nmmf,2026-03-06\n', 'line 2'],
    ['fund_id,date,income_per_10k\nmmf,2026-03-06,1.2345,extra\n', 'not CSV'],
  ])('refuses %j (%s)', (csv, where) => {
    expect(() => parseIncomeFile(csv)).toThrow(where);
    expect(() => parseIncomeFile(csv)).toThrow(expect.objectContaining({ code: 'invalid_income' }));
  });
});
