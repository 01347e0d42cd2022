// The one way a module moves money. A module writes a Step (claim its rows, a pure plan of ledger
// events, record the outcome); the runner hands it to the engine, which runs all three in its next
// write group, in the same durable commit as the ledger batch. Work that waits on the world (a
// bank's answer) is two steps with the wait between them; each module registers how to resume
// what it left waiting, and the runner resumes it all at start and from a periodic job, so no
// client has to retry.
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import type { Step, TransferOutcome } from '../../engine/step.ts';
import type { TransferResult } from '../../ledger/index.ts';

export type { Step, TransferOutcome } from '../../engine/step.ts';

/** What the ledger did with a step's events, classified once for every module. */
export type LedgerVerdict =
  | { readonly applied: true }
  | { readonly applied: false; readonly reason: 'insufficient_funds' | 'refused'; readonly result: TransferResult };

const APPLIED: ReadonlySet<TransferResult> = new Set(['ok', 'exists']);
/** A balance too low, now or when this id first failed (a replay of a refused transfer). */
const NO_FUNDS: ReadonlySet<TransferResult> = new Set(['exceeds_credits', 'id_already_failed']);
/** A linked chain reports the event that broke it; its other events answer `linked_event_failed`. */
const CHAIN_FOLLOWER: TransferResult = 'linked_event_failed';

export function ledgerVerdict(outcomes: readonly TransferOutcome[]): LedgerVerdict {
  const failed = outcomes.filter((o) => !APPLIED.has(o.result));
  if (failed.length === 0) return { applied: true };
  const cause = failed.find((o) => o.result !== CHAIN_FOLLOWER) ?? failed[0];
  return { applied: false, reason: NO_FUNDS.has(cause.result) ? 'insufficient_funds' : 'refused', result: cause.result };
}

/**
 * For a record whose claim already proved the money is there (a holding account, a declared
 * income): a refusal is a bug, so it throws and the whole write group is undone, loudly.
 */
export function requireApplied(step: string, outcomes: readonly TransferOutcome[]): void {
  const verdict = ledgerVerdict(outcomes);
  if (!verdict.applied) throw new Error(`${step}: the ledger refused a transfer the step's own rows said it could make (${verdict.result})`);
}

/** Finishes or compensates what a module left waiting; returns how many it settled. */
export type Resumer = () => Promise<number>;

export class StepRunner {
  private readonly resumers = new Map<string, Resumer>();

  constructor(private readonly engine: LedgerEngine) {}

  run<C, R>(step: Step<C, R>): Promise<R> {
    return this.engine.runStep(step);
  }

  /** A module's way to finish its waiting steps from their stored state. */
  onResume(module: string, resume: Resumer): void {
    if (this.resumers.has(module)) throw new Error(`module ${module} registered its resumer twice`);
    this.resumers.set(module, resume);
  }

  /** Every module's waiting work, finished or compensated; one module's failure does not stop the others. */
  async resumeAll(): Promise<Record<string, number>> {
    const settled: Record<string, number> = {};
    for (const [module, resume] of this.resumers) {
      try {
        settled[module] = await resume();
      } catch (error) {
        console.error(`resuming ${module} failed:`, error);
        settled[module] = 0;
      }
    }
    return settled;
  }
}
