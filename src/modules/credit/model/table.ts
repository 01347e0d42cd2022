// A table of named columns read from CSV: the scorecard trains and scores on any such table.
import { parse } from 'csv-parse/sync';

export interface Table {
  readonly columns: readonly string[];
  /** One array of raw text cells per data row, in the columns' order. */
  readonly rows: readonly (readonly string[])[];
}

export function parseCsvTable(text: string): Table {
  const records: string[][] = parse(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false });
  if (records.length === 0) throw new Error('the CSV file is empty: it needs a header line');
  const [columns, ...rows] = records;
  const seen = new Set<string>();
  for (const name of columns) {
    if (name === '') throw new Error('every column needs a name in the header line');
    if (seen.has(name)) throw new Error(`column '${name}' appears twice in the header line`);
    seen.add(name);
  }
  return { columns, rows };
}

export function columnIndex(table: Table, name: string): number {
  const index = table.columns.indexOf(name);
  if (index < 0) throw new Error(`no column '${name}' (columns: ${table.columns.join(', ')})`);
  return index;
}

/** Empty cells and the usual spellings of "not available" count as missing, not as a category. */
export function isMissing(cell: string): boolean {
  return cell === '' || /^(na|n\/a|nan|null)$/i.test(cell);
}

export function parseNumber(cell: string): number | null {
  if (isMissing(cell)) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

/** A column is numeric when every present cell reads as a finite number. */
export function isNumericColumn(cells: readonly string[]): boolean {
  let present = 0;
  for (const cell of cells) {
    if (isMissing(cell)) continue;
    if (parseNumber(cell) === null) return false;
    present++;
  }
  return present > 0;
}

/** Reads the label column: 1 is a default, 0 is not; anything else is refused with its row number. */
export function readLabels(table: Table, label: string): number[] {
  const index = columnIndex(table, label);
  return table.rows.map((row, i) => {
    const cell = row[index];
    if (cell === '1') return 1;
    if (cell === '0') return 0;
    throw new Error(`row ${i + 1}: label '${label}' must be 0 or 1, not '${cell}'`);
  });
}
