// Background work driven by the clock. Each tick asks the clock what is due, so an injected
// clock (tests, the sandbox) and the real one behave the same; the timer only decides how often to ask.

/** When the job next has work: epoch milliseconds, or null when nothing waits on time. */
export type NextDue = () => Promise<number | null>;

export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private current: Promise<void> | null = null;

  constructor(
    readonly name: string,
    readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly onError: (name: string, error: unknown) => void,
    /** Lets the sandbox clock jump straight to the job's due instants; without it the job is run every interval. */
    readonly nextDue?: NextDue,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick().catch((error) => this.onError(this.name, error)), this.intervalMs);
    this.timer.unref();
  }

  /** No more ticks; resolves once the run in flight (if any) has ended, so what it uses can close. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.settled();
  }

  /** Runs the work once now; a tick that overlaps a running one is skipped. */
  async tick(): Promise<void> {
    if (this.current) return;
    await this.runOnce();
  }

  /** Runs the work once, after any run in flight: a caller that moved the clock needs a run that sees it. */
  async runNow(): Promise<void> {
    await this.settled();
    await this.runOnce();
  }

  private async settled(): Promise<void> {
    while (this.current) await this.current.catch(() => undefined);
  }

  private async runOnce(): Promise<void> {
    const run = this.work().then(() => undefined);
    this.current = run;
    try {
      await run;
    } finally {
      this.current = null;
    }
  }
}
