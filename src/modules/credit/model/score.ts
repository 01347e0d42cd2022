// Scoring one row with a scorecard: the bin of every column, its points, and how far each column moves
// the score from the average applicant (the factors a borrower is shown).
import { binOf } from './binning.ts';
import { SCORE_MAX, SCORE_MIN, type Scorecard } from './scorecard-model.ts';

export type CreditBand = 'none' | 'small' | 'standard' | 'best';

/** The policy bands: below 550 no credit, 550-600 small lines, 600-700 standard, 700 and up best rates. */
export function bandOf(score: number): CreditBand {
  if (score < 550) return 'none';
  if (score < 600) return 'small';
  if (score < 700) return 'standard';
  return 'best';
}

export interface FactorEffect {
  readonly name: string;
  /** The raw input, as recorded with the decision. */
  readonly value: string;
  readonly bin: string;
  /** Points against the average applicant: negative lowers the score. */
  readonly effect: number;
}

export interface ScoreResult {
  readonly modelVersion: string;
  readonly score: number;
  readonly band: CreditBand;
  readonly factors: readonly FactorEffect[];
}

/** Reads a row's cell by column name; a missing column is a missing value to the scorecard. */
export type CellReader = (column: string) => string | undefined;

function exactScore(model: Scorecard, cell: CellReader): { total: number; factors: FactorEffect[] } {
  let total = SCORE_MIN;
  const factors = model.features.map((feature) => {
    const value = cell(feature.name) ?? '';
    const bin = feature.bins[binOf(feature.binning, value)];
    total += bin.points;
    return { name: feature.name, value, bin: bin.label, effect: Math.round(bin.points - feature.meanPoints) };
  });
  return { total, factors };
}

/** A number that grows with the risk of default (the unrounded score, negated): for AUC and KS. */
export function riskOf(model: Scorecard, cell: CellReader): number {
  return -exactScore(model, cell).total;
}

export function scoreRow(model: Scorecard, cell: CellReader): ScoreResult {
  const { total, factors } = exactScore(model, cell);
  const score = Math.min(SCORE_MAX, Math.max(SCORE_MIN, Math.round(total)));
  return { modelVersion: model.version, score, band: bandOf(score), factors };
}

/** The factors that moved the score most, largest first; ties keep the model's column order. */
export function topFactors(result: ScoreResult, count = 3): FactorEffect[] {
  return [...result.factors].sort((a, b) => Math.abs(b.effect) - Math.abs(a.effect)).slice(0, count);
}
