// Trains a scorecard on any table: bins every column, turns bins into weights of evidence, keeps the
// columns that carry information, fits a regularised logistic regression on a seeded training split and
// scales the result to points between 350 and 950 (higher is safer). Held-out rows measure it.
import { seededRandom } from '../../../../sim/bank/random.ts';
import { type Binning, type BinningOptions, binCategorical, binLabels, binNumeric, binOf, countBins, DEFAULT_BINNING } from './binning.ts';
import { DEFAULT_LOGISTIC, fitLogistic, type LogisticOptions } from './logistic.ts';
import { discrimination } from './metrics.ts';
import { MODEL_FORMAT, SCORE_MAX, SCORE_MIN, type Scorecard, type ScorecardFeature, versioned } from './scorecard-model.ts';
import { riskOf } from './score.ts';
import { isNumericColumn, readLabels, type Table } from './table.ts';
import { informationValue, weightsOfEvidence } from './woe.ts';

export interface TrainOptions {
  readonly label: string;
  readonly seed: number;
  readonly holdoutShare: number;
  /** Columns carrying less information value than this are left out (0.02 is the usual floor). */
  readonly minInformationValue: number;
  readonly binning: BinningOptions;
  readonly logistic: LogisticOptions;
}

export const DEFAULT_TRAIN: Omit<TrainOptions, 'label'> = {
  seed: 1,
  holdoutShare: 0.3,
  minInformationValue: 0.02,
  binning: DEFAULT_BINNING,
  logistic: DEFAULT_LOGISTIC,
};

interface Candidate {
  readonly name: string;
  readonly column: number;
  readonly binning: Binning;
  readonly woe: number[];
  readonly counts: { count: number; bads: number }[];
  readonly informationValue: number;
}

export function trainScorecard(table: Table, options: Partial<TrainOptions> & { label: string }): Scorecard {
  const settings: TrainOptions = { ...DEFAULT_TRAIN, ...options };
  const labels = readLabels(table, settings.label);
  const { train, holdout } = stratifiedSplit(labels, settings.holdoutShare, settings.seed);
  const trainLabels = train.map((i) => labels[i]);
  if (!trainLabels.includes(1) || !trainLabels.includes(0)) throw new Error('the training rows need both defaults (1) and non-defaults (0)');

  const dropped: { name: string; reason: string }[] = [];
  let candidates = table.columns
    .map((name, column) => ({ name, column }))
    .filter(({ name }) => name !== settings.label)
    .map(({ name, column }) =>
      classify(
        name,
        column,
        train.map((i) => table.rows[i][column]),
        trainLabels,
        settings.binning,
      ),
    )
    .filter((candidate) => {
      if (candidate.informationValue >= settings.minInformationValue) return true;
      dropped.push({ name: candidate.name, reason: `information value ${candidate.informationValue.toFixed(4)} below ${settings.minInformationValue}` });
      return false;
    });

  // A negative weight on a WoE input means the column only corrects another one it overlaps with:
  // it would make the explanation say "safer" for a riskier bin, so it is left out and the fit redone.
  for (;;) {
    if (candidates.length === 0) throw new Error('no column separates defaults from the rest: nothing to build a scorecard on');
    const x = train.map((row) => candidates.map((c) => c.woe[binOf(c.binning, table.rows[row][c.column])]));
    const fit = fitLogistic(x, trainLabels, settings.logistic);
    const reversed = candidates.filter((_, j) => fit.coefficients[j] >= 0);
    if (reversed.length === 0) {
      const model = scale(candidates, fit.intercept, fit.coefficients, {
        settings,
        trainRows: train.length,
        holdoutRows: holdout.length,
        labels: trainLabels,
        dropped,
      });
      return withHoldout(model, table, holdout, labels);
    }
    for (const c of reversed) dropped.push({ name: c.name, reason: 'overlaps with stronger columns (reversed weight)' });
    candidates = candidates.filter((c) => !reversed.includes(c));
  }
}

function classify(name: string, column: number, cells: readonly string[], labels: readonly number[], options: BinningOptions): Candidate {
  const binning = isNumericColumn(cells) ? binNumeric(cells, labels, options) : binCategorical(cells, options);
  const counts = countBins(binning, cells, labels);
  const woe = weightsOfEvidence(counts);
  return { name, column, binning, counts, woe, informationValue: informationValue(counts, woe) };
}

interface ScaleContext {
  readonly settings: TrainOptions;
  readonly trainRows: number;
  readonly holdoutRows: number;
  readonly labels: readonly number[];
  readonly dropped: readonly { name: string; reason: string }[];
}

/**
 * Points per bin: each column's contribution to the log-odds of not defaulting, shifted so its worst
 * bin gives 0, and one factor for all columns so the best possible row scores 950 and the worst 350.
 */
function scale(candidates: readonly Candidate[], intercept: number, coefficients: readonly number[], context: ScaleContext): Scorecard {
  const contributions = candidates.map((c, j) => c.woe.map((w) => -coefficients[j] * w));
  const floors = contributions.map((c) => Math.min(...c));
  const span = contributions.reduce((sum, c, j) => sum + Math.max(...c) - floors[j], 0);
  const factor = (SCORE_MAX - SCORE_MIN) / span;
  const offset = SCORE_MIN - factor * (floors.reduce((a, b) => a + b, 0) - intercept);
  const features: ScorecardFeature[] = candidates.map((c, j) => {
    const labels = binLabels(c.binning);
    const bins = c.counts.map((bin, k) => ({
      label: labels[k],
      count: bin.count,
      bads: bin.bads,
      woe: c.woe[k],
      points: (contributions[j][k] - floors[j]) * factor,
    }));
    const meanPoints = bins.reduce((sum, bin) => sum + bin.points * bin.count, 0) / context.trainRows;
    return { name: c.name, binning: c.binning, bins, coefficient: coefficients[j], informationValue: c.informationValue, meanPoints };
  });
  const bads = context.labels.reduce((sum, y) => sum + y, 0);
  return versioned({
    format: MODEL_FORMAT,
    label: context.settings.label,
    seed: context.settings.seed,
    trainRows: context.trainRows,
    holdoutRows: context.holdoutRows,
    defaultRate: bads / context.trainRows,
    holdout: { auc: Number.NaN, ks: Number.NaN, gini: Number.NaN },
    intercept,
    factor,
    offset,
    features,
    dropped: context.dropped,
  });
}

function withHoldout(model: Scorecard, table: Table, holdout: readonly number[], labels: readonly number[]): Scorecard {
  const { version: _, ...body } = model;
  const risk = holdout.map((row) => riskOf(model, (name) => table.rows[row][table.columns.indexOf(name)]));
  const measured = discrimination(
    risk,
    holdout.map((row) => labels[row]),
  );
  return versioned({ ...body, holdout: measured });
}

/** The same share of defaults and non-defaults held out, chosen by a seeded shuffle. */
export function stratifiedSplit(labels: readonly number[], holdoutShare: number, seed: number): { train: number[]; holdout: number[] } {
  const random = seededRandom(seed);
  const train: number[] = [];
  const holdout: number[] = [];
  for (const value of [0, 1]) {
    const rows = labels.flatMap((y, i) => (y === value ? [i] : []));
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(random.next() * (i + 1));
      [rows[i], rows[j]] = [rows[j], rows[i]];
    }
    const cut = Math.round(rows.length * holdoutShare);
    holdout.push(...rows.slice(0, cut));
    train.push(...rows.slice(cut));
  }
  return { train: train.sort((a, b) => a - b), holdout: holdout.sort((a, b) => a - b) };
}
