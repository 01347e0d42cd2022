// The daily statement file shared by the bank simulator (which writes it) and the bank client
// (which reads it): one CSV line per operation, amounts as decimal strings in the major unit.
// Written and read with csv-stringify and csv-parse, so quoting follows RFC 4180.
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { formatMinor, parseMinor, requireCurrency } from '../../money/amount.ts';

const COLUMNS = ['request_id', 'bank_ref', 'type', 'amount', 'currency', 'status', 'time'];
export const STATEMENT_HEADER = COLUMNS.join(',');

export interface StatementLine {
  readonly requestId: string;
  readonly bankRef: string;
  readonly type: 'debit' | 'credit';
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: 'succeeded' | 'failed';
  /** Milliseconds since the epoch (written as an ISO 8601 UTC instant). */
  readonly time: number;
}

export class StatementFormatError extends Error {
  override readonly name = 'StatementFormatError';
}

export function formatStatementCsv(lines: readonly StatementLine[]): string {
  const rows = lines.map((l) => [
    l.requestId,
    l.bankRef,
    l.type,
    formatMinor(l.amountMinor, requireCurrency(l.currency)),
    l.currency,
    l.status,
    new Date(l.time).toISOString(),
  ]);
  return stringify([COLUMNS, ...rows]);
}

/** Parses a statement; throws StatementFormatError naming the first bad line. */
export function parseStatementCsv(text: string): StatementLine[] {
  let rows: string[][];
  try {
    rows = parse(text, { skip_empty_lines: true, relax_column_count: true }) as string[][];
  } catch (error) {
    throw new StatementFormatError(`statement is not CSV: ${(error as Error).message}`);
  }
  if (rows[0]?.join(',') !== STATEMENT_HEADER) throw new StatementFormatError(`statement header must be '${STATEMENT_HEADER}'`);
  return rows.slice(1).map((cells, index) => parseRow(cells, index + 2));
}

function parseRow(cells: readonly string[], lineNo: number): StatementLine {
  const [requestId, bankRef, type, amount, currency, status, time] = cells;
  const when = Date.parse(time ?? '');
  if (cells.length !== 7 || (type !== 'debit' && type !== 'credit') || (status !== 'succeeded' && status !== 'failed')) {
    throw new StatementFormatError(`statement line ${lineNo} is malformed`);
  }
  if (Number.isNaN(when)) throw new StatementFormatError(`statement line ${lineNo} has a bad time`);
  try {
    const amountMinor = parseMinor(amount, requireCurrency(currency));
    return { requestId, bankRef, type, amountMinor, currency, status, time: when };
  } catch (error) {
    throw new StatementFormatError(`statement line ${lineNo}: ${(error as Error).message}`);
  }
}
