// Scores every row of a table and writes the CSV that `formica credit score` prints:
// row, score, band and the three factors that moved the score most, as name:points.
import { stringify } from 'csv-stringify/sync';
import type { Scorecard } from './scorecard-model.ts';
import { scoreRow, topFactors } from './score.ts';
import type { Table } from './table.ts';

export const SCORE_COLUMNS = ['row', 'score', 'band', 'factor_1', 'factor_2', 'factor_3'] as const;

export function scoreTableCsv(model: Scorecard, table: Table): string {
  const lines = table.rows.map((row, i) => {
    const result = scoreRow(model, (column) => {
      const index = table.columns.indexOf(column);
      return index < 0 ? undefined : row[index];
    });
    const factors = topFactors(result).map((f) => `${f.name}:${f.effect > 0 ? '+' : ''}${f.effect}`);
    while (factors.length < 3) factors.push('');
    return [String(i + 1), String(result.score), result.band, ...factors];
  });
  return stringify([[...SCORE_COLUMNS], ...lines]);
}
