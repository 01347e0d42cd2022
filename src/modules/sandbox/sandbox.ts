// Sandbox mode: a clock that jumps forward on demand and runs every job due on the way, faults on
// demand for the bank and the notifications (and a hook for the billers), and the notification
// attempts the inspector shows. Off unless asked for (FORMICA_SANDBOX=1 or the `sandbox` option).
import type { Clock } from '../../engine/clock.ts';
import type { PeriodicJob } from '../../engine/jobs.ts';
import type { BankClient } from '../channels/bank-client.ts';
import type { Deliver } from '../trade/trade-notifications.ts';
import { FaultRegistry } from './faults.ts';
import { faultyBankClient } from './faulty-bank.ts';
import { advanceThroughJobs, type JobErrorHandler } from './job-driver.ts';
import { NotificationLog } from './notification-log.ts';
import { parseSandboxStart, SandboxClock } from './sandbox-clock.ts';

export interface SandboxOptions {
  /** Where a new sandbox's clock starts (epoch ms); default FORMICA_SANDBOX_START, else now. */
  readonly startMs?: number;
}

/** The sandbox asked for: the option when given (false turns it off), else FORMICA_SANDBOX=1. */
export function openSandbox(dataDir: string, base: Clock, option: SandboxOptions | false | undefined): Sandbox | undefined {
  if (option === false || (option === undefined && process.env.FORMICA_SANDBOX !== '1')) return undefined;
  const startMs = option?.startMs ?? parseSandboxStart(process.env.FORMICA_SANDBOX_START);
  return new Sandbox(SandboxClock.open(dataDir, base, startMs), base);
}

export class Sandbox {
  readonly faults = new FaultRegistry();
  readonly notifications: NotificationLog;
  private jobs: readonly PeriodicJob[] = [];
  private onJobError: JobErrorHandler = () => undefined;
  /** Advances take turns: each starts where the previous one ended. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    readonly clock: SandboxClock,
    /** The time outside: merchants' SDKs stamp their requests with it, so the gateway checks against it. */
    readonly wallClock: Clock,
  ) {
    this.notifications = new NotificationLog(clock, this.faults);
  }

  bank(client: BankClient): BankClient {
    return faultyBankClient(client, this.faults);
  }

  deliver(inner: Deliver): Deliver {
    return this.notifications.deliver(inner);
  }

  /** The jobs an advance runs: the platform's whole job list, whatever modules put in it. */
  drive(jobs: readonly PeriodicJob[], onJobError: JobErrorHandler): void {
    this.jobs = jobs;
    this.onJobError = onJobError;
  }

  /** Moves the clock to `targetMs` (never back: `clock_backwards`) once every job due on the way has run; the new time. */
  advanceTo(targetMs: number): Promise<number> {
    return this.inTurn(() => targetMs);
  }

  /** `advanceTo` a span after now, now being when the advance's turn comes. */
  advanceBy(ms: number): Promise<number> {
    return this.inTurn(() => this.clock.now() + ms);
  }

  private inTurn(target: () => number): Promise<number> {
    const run = this.turn.then(async () => {
      const targetMs = target();
      this.clock.requireNotBefore(targetMs);
      this.clock.save(targetMs);
      await advanceThroughJobs(this.clock, this.jobs, targetMs, this.onJobError);
      return this.clock.now();
    });
    this.turn = run.catch(() => undefined);
    return run;
  }
}
