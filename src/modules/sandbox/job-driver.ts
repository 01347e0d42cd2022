// Moves the sandbox clock to a target time through every instant a job falls due on the way, and
// runs the jobs due at each instant, in time order, so that advancing by a day does what a day of
// waiting would: an unpaid trade closes, the close is notified, the notification is retried...
//
// A job that says when it is next due (PeriodicJob.nextDue) is run at exactly those instants; a job
// that does not is run every interval, but at most FALLBACK_RUNS times in one advance. Instants
// closer together than span / MAX_STEPS are run together, so any advance takes a bounded number of steps.
import type { PeriodicJob } from '../../engine/jobs.ts';
import type { SandboxClock } from './sandbox-clock.ts';

const MAX_STEPS = 5_000;
const FALLBACK_RUNS = 96;

export type JobErrorHandler = (name: string, error: unknown) => void;

interface Advance {
  readonly startMs: number;
  readonly targetMs: number;
  readonly resolutionMs: number;
  readonly fallbackEveryMs: number;
  /** When each job last ran in this advance. */
  readonly lastRun: Map<PeriodicJob, number>;
}

export async function advanceThroughJobs(clock: SandboxClock, jobs: readonly PeriodicJob[], targetMs: number, onError: JobErrorHandler): Promise<void> {
  const startMs = clock.now();
  const span = Math.max(0, targetMs - startMs);
  const advance: Advance = {
    startMs,
    targetMs,
    resolutionMs: Math.max(1, Math.ceil(span / MAX_STEPS)),
    fallbackEveryMs: Math.ceil(span / FALLBACK_RUNS),
    lastRun: new Map(),
  };
  for (;;) {
    const dues = await Promise.all(jobs.map((job) => dueAt(job, advance, onError)));
    const earliest = Math.min(...dues.map((due) => due ?? Number.POSITIVE_INFINITY));
    if (earliest > targetMs) break;
    const now = clock.now();
    clock.jumpTo(earliest <= now ? now : Math.min(targetMs, Math.max(earliest, now + advance.resolutionMs)));
    const at = clock.now();
    for (const [i, job] of jobs.entries()) {
      const due = dues[i];
      if (due === null || due > at) continue;
      await runJob(job, onError);
      advance.lastRun.set(job, clock.now());
    }
  }
  clock.jumpTo(targetMs);
  // Whatever a job's schedule says, each has seen the target time before the caller hears back.
  for (const job of jobs) await runJob(job, onError);
}

/** The instant a job is next due in this advance, or null when it waits on nothing. */
async function dueAt(job: PeriodicJob, advance: Advance, onError: JobErrorHandler): Promise<number | null> {
  const lastRun = advance.lastRun.get(job);
  const everyInterval = (lastRun ?? advance.startMs) + Math.max(job.intervalMs, advance.fallbackEveryMs);
  if (!job.nextDue) return everyInterval;
  let due: number | null;
  try {
    due = await job.nextDue();
  } catch (error) {
    onError(job.name, error);
    return everyInterval;
  }
  if (due === null) return null;
  // Still due after running at or after that instant: something it cannot finish yet, retried at its own pace.
  return lastRun !== undefined && due <= lastRun ? lastRun + job.intervalMs : due;
}

async function runJob(job: PeriodicJob, onError: JobErrorHandler): Promise<void> {
  try {
    await job.runNow();
  } catch (error) {
    onError(job.name, error);
  }
}
