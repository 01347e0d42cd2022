// The statement file round-trips exactly and names the line it cannot read.
import { describe, expect, it } from 'vitest';
import { formatStatementCsv, parseStatementCsv, STATEMENT_HEADER, StatementFormatError } from './statement-csv.ts';

describe('statement csv', () => {
  it('round-trips lines with exact amounts', () => {
    const lines = [
      { requestId: 'a', bankRef: 'R1', type: 'debit', amountMinor: 1n, currency: 'CNY', status: 'succeeded', time: 1_767_225_600_000 },
      { requestId: 'b', bankRef: 'R2', type: 'credit', amountMinor: 9_007_199_254_740_993n, currency: 'JPY', status: 'failed', time: 0 },
    ] as const;
    const csv = formatStatementCsv(lines);
    expect(csv.split('\n')[1]).toBe('a,R1,debit,0.01,CNY,succeeded,2026-01-01T00:00:00.000Z');
    expect(parseStatementCsv(csv)).toEqual(lines);
  });

  it('rejects a bad header or line', () => {
    expect(() => parseStatementCsv('x\n')).toThrow(StatementFormatError);
    expect(() => parseStatementCsv(`${STATEMENT_HEADER}\na,R,debit,1.001,CNY,succeeded,2026-01-01T00:00:00Z\n`)).toThrow(/line 2/);
    expect(() => parseStatementCsv(`${STATEMENT_HEADER}\na,R,refund,1,CNY,succeeded,2026-01-01T00:00:00Z\n`)).toThrow(/line 2/);
  });
});
