export { explainFactor, featureName, type Locale } from './explain.ts';
export { auc, discrimination, ks } from './metrics.ts';
export { type CreditBand, bandOf, type FactorEffect, riskOf, type ScoreResult, scoreRow, topFactors } from './score.ts';
export { scoreTableCsv } from './score-table.ts';
export { parseScorecard, probabilityOfDefault, SCORE_MAX, SCORE_MIN, type Scorecard } from './scorecard-model.ts';
export { columnIndex, parseCsvTable, type Table } from './table.ts';
export { DEFAULT_TRAIN, type TrainOptions, trainScorecard } from './train.ts';
