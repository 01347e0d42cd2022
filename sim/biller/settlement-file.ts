// The daily settlement file as a biller sends it: CSV with a header, one confirmed payment a line,
// amounts as decimal yuan. Formica parses the same columns (src/modules/bills/settlement-file.ts).
import { stringify } from 'csv-stringify/sync';
import { formatMinor, requireCurrency } from '../../src/money/amount.ts';
import type { SettlementLine } from './simulator.ts';

export const SETTLEMENT_COLUMNS = ['payment_id', 'charge_inst', 'bill_key', 'amount', 'currency', 'confirmed_at'] as const;

export function settlementCsv(lines: readonly SettlementLine[]): string {
  const cny = requireCurrency('CNY');
  const rows = lines.map((l) => [l.paymentId, l.chargeInst, l.billKey, formatMinor(l.amountMinor, cny), 'CNY', new Date(l.confirmedAt).toISOString()]);
  return stringify(rows, { header: true, columns: [...SETTLEMENT_COLUMNS] });
}
