// Judges a scorecard on a cohort it never saw: discrimination, the default rate by band, and what each
// cut-off would have approved and lost. Losses weigh defaults by the amount asked for (no recovery).
import { bandOf, type CreditBand, discrimination, type Scorecard, scoreRow } from '../model/index.ts';
import type { Discrimination } from '../model/metrics.ts';
import type { SyntheticBorrower } from './population.ts';

export interface BandOutcome {
  readonly band: CreditBand;
  readonly borrowers: number;
  readonly defaults: number;
  readonly defaultRate: number;
}

export interface CutoffOutcome {
  readonly cutoff: number;
  readonly approvalRate: number;
  readonly defaultRate: number;
  /** Defaulted amount over granted amount among the approved. */
  readonly lossRate: number;
}

export interface Backtest extends Discrimination {
  readonly borrowers: number;
  readonly defaultRate: number;
  readonly bands: readonly BandOutcome[];
  readonly cutoffs: readonly CutoffOutcome[];
  /** The loss rate of the book the policy grants (score 550 and up): the NPL ratio to set against banks'. */
  readonly bookNplRatio: number;
}

const BANDS: readonly CreditBand[] = ['none', 'small', 'standard', 'best'];
export const CUTOFFS = [350, 450, 500, 550, 600, 650, 700, 750, 800] as const;
export const POLICY_CUTOFF = 550;

export function backtest(model: Scorecard, cohort: readonly SyntheticBorrower[]): Backtest {
  const scored = cohort.map((b) => ({ borrower: b, score: scoreRow(model, (c) => b.features[c]).score }));
  const labels: number[] = cohort.map((b) => (b.defaulted ? 1 : 0));
  const measured = discrimination(
    scored.map((s) => -s.score),
    labels,
  );
  const bands = BANDS.map((band) => {
    const inBand = scored.filter((s) => bandOf(s.score) === band);
    const defaults = inBand.filter((s) => s.borrower.defaulted).length;
    return { band, borrowers: inBand.length, defaults, defaultRate: inBand.length === 0 ? 0 : defaults / inBand.length };
  });
  const cutoffs = CUTOFFS.map((cutoff) => {
    const approved = scored.filter((s) => s.score >= cutoff).map((s) => s.borrower);
    const granted = approved.reduce((sum, b) => sum + b.requested, 0);
    const lost = approved.filter((b) => b.defaulted).reduce((sum, b) => sum + b.requested, 0);
    return {
      cutoff,
      approvalRate: approved.length / cohort.length,
      defaultRate: approved.length === 0 ? 0 : approved.filter((b) => b.defaulted).length / approved.length,
      lossRate: granted === 0 ? 0 : lost / granted,
    };
  });
  const book = cutoffs.find((c) => c.cutoff === POLICY_CUTOFF)!;
  return { ...measured, borrowers: cohort.length, defaultRate: labels.reduce((a, b) => a + b, 0) / cohort.length, bands, cutoffs, bookNplRatio: book.lossRate };
}
