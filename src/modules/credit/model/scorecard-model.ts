// The scorecard as it is written to a model file and read back: everything needed to score a row and
// explain the score, and a version that is a hash of that content (same content, same version).
import { createHash } from 'node:crypto';
import type { Binning } from './binning.ts';
import type { Discrimination } from './metrics.ts';

export const SCORE_MIN = 350;
export const SCORE_MAX = 950;
export const MODEL_FORMAT = 'formica.scorecard/1';

export interface ScorecardBin {
  readonly label: string;
  readonly count: number;
  readonly bads: number;
  readonly woe: number;
  /** What falling in this bin adds to the 350 floor. */
  readonly points: number;
}

export interface ScorecardFeature {
  readonly name: string;
  readonly binning: Binning;
  /** The present-value bins, then the missing bin. */
  readonly bins: readonly ScorecardBin[];
  readonly coefficient: number;
  readonly informationValue: number;
  /** The average points of the training rows: a factor's effect is measured against it. */
  readonly meanPoints: number;
}

export interface ScorecardBody {
  readonly format: typeof MODEL_FORMAT;
  readonly label: string;
  readonly seed: number;
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly defaultRate: number;
  readonly holdout: Discrimination;
  readonly intercept: number;
  /** score = offset + factor x ln(odds of not defaulting); points to double the odds = factor x ln 2. */
  readonly factor: number;
  readonly offset: number;
  readonly features: readonly ScorecardFeature[];
  readonly dropped: readonly { readonly name: string; readonly reason: string }[];
}

export interface Scorecard extends ScorecardBody {
  readonly version: string;
}

export function versioned(body: ScorecardBody): Scorecard {
  const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  return { version: `sc-${digest.slice(0, 12)}`, ...body };
}

/** Reads a model file, refusing one that is not a scorecard or whose content no longer matches its version. */
export function parseScorecard(text: string): Scorecard {
  const parsed = JSON.parse(text) as Scorecard;
  if (parsed?.format !== MODEL_FORMAT) throw new Error(`not a Formica scorecard (format '${String(parsed?.format)}')`);
  const { version, ...body } = parsed;
  const recomputed = versioned(body as ScorecardBody).version;
  if (recomputed !== version) throw new Error(`model file altered: its content is version ${recomputed}, not ${version}`);
  return parsed;
}

export function probabilityOfDefault(model: Scorecard, score: number): number {
  return 1 / (1 + Math.exp((score - model.offset) / model.factor));
}
