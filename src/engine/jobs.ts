// Background work driven by the clock. Each tick asks the clock what is due, so an injected
// clock (tests) and the real one behave the same; the timer only decides how often to ask.
import type { LedgerEngine } from './ledger-engine.ts';

const EXPIRY_POLL_MS = 100;

export class ExpiryJob {
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    private readonly engine: LedgerEngine,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => this.tick().catch(this.onError), EXPIRY_POLL_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Expires what is due now; overlapping ticks are skipped. */
  async tick(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.engine.expireDue();
    } finally {
      this.running = false;
    }
  }
}
