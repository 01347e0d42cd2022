// Reads a biller's daily settlement file (CSV with a header: payment_id, charge_inst, bill_key,
// amount, currency, confirmed_at) into statement lines: each is money the biller says it received.
import { parse } from 'csv-parse/sync';
import { parseMinor, requireCurrency } from '../../money/amount.ts';
import type { StatementLine } from '../channels/statement-csv.ts';

interface FileRow {
  payment_id: string;
  charge_inst: string;
  amount: string;
  currency: string;
  confirmed_at: string;
}

/** The file's lines for `chargeInst`; a line of another biller or a malformed one throws. */
export function parseSettlementFile(csv: string, chargeInst: string): StatementLine[] {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as FileRow[];
  return rows.map((row, i) => {
    const time = Date.parse(row.confirmed_at);
    if (row.charge_inst !== chargeInst || !row.payment_id || Number.isNaN(time))
      throw new Error(`settlement file of ${chargeInst}: line ${i + 2} is malformed`);
    const amountMinor = parseMinor(row.amount, requireCurrency(row.currency));
    return { requestId: row.payment_id, bankRef: '', type: 'credit', amountMinor, currency: row.currency, status: 'succeeded', time };
  });
}
