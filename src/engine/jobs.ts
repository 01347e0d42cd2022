// Background work driven by the clock. Each tick asks the clock what is due, so an injected
// clock (tests) and the real one behave the same; the timer only decides how often to ask.

export class PeriodicJob {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly onError: (name: string, error: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick().catch((error) => this.onError(this.name, error)), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Runs the work once now; a tick that overlaps a running one is skipped. */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.work();
    } finally {
      this.running = false;
    }
  }
}
