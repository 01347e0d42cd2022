// The platform's own scorecards. A new platform has no credit history of its own, so they are trained
// (the same way `formica credit train` trains) on the portfolio simulator's synthetic history, from a
// fixed seed: every start builds the same models, and their versions are recorded with each decision.
import { type Scorecard, trainScorecard } from './model/index.ts';
import { cohort, cohortTable } from './simulator/simulate.ts';

export const PLATFORM_MODEL_SEED = 20_190_101;
const TRAINING_ROWS = 4_000;

export interface PlatformModels {
  readonly buyer: Scorecard;
  readonly merchant: Scorecard;
}

let trained: PlatformModels | undefined;

/** Trained on first use (half a second), then shared: the same seed always gives the same models. */
export function platformModels(): PlatformModels {
  trained ??= trainPlatformModels();
  return trained;
}

export function trainPlatformModels(): PlatformModels {
  const train = (kind: 'buyer' | 'merchant') =>
    trainScorecard(cohortTable(cohort(kind, TRAINING_ROWS, PLATFORM_MODEL_SEED, 'train', () => {})), { label: 'defaulted', seed: PLATFORM_MODEL_SEED });
  return { buyer: train('buyer'), merchant: train('merchant') };
}
