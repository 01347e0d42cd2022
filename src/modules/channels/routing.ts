// Channel routing: among the banks that serve a card, prefer the one with the best recent success
// rate and, among those about equally healthy, the cheapest. Success is measured over a sliding
// window of each bank's last N outcomes within a maximum age; only outcomes the channel is
// answerable for are counted.
import type { MoneyResult } from './bank-client-types.ts';
import { channelSuccessRate } from './channel-metrics.ts';

export interface ChannelCost {
  readonly bank: string;
  /** The bank's fee in basis points of the amount (1 bp = 0.01%). */
  readonly feeBps: number;
}

export interface RouterOptions {
  /** The channels the router may use and what each costs; other banks are never picked. */
  readonly channels: readonly ChannelCost[];
  /** Outcomes remembered per bank; default 100. */
  readonly windowSize?: number;
  /** Outcomes older than this are forgotten, so a channel left unused gets tried again; default 10 minutes. */
  readonly maxAgeMs?: number;
  /** Milliseconds now; the injected clock's `now`. */
  readonly now: () => number;
  /** Success rates this close to the best count as equally healthy, so cost decides; default 0.02. */
  readonly tolerance?: number;
  /** Publish rates on the formica_channel_success_rate gauge; default true. */
  readonly publishMetrics?: boolean;
}

/** `unknown` counts against the channel: a payment left pending is a failure of the channel. */
export type ChannelOutcome = 'succeeded' | 'failed' | 'unknown';

export interface ChannelStats {
  readonly bank: string;
  /** In [0, 1]; 1 while the bank has no samples yet, so a new channel gets tried. */
  readonly successRate: number;
  readonly samples: number;
  readonly feeBps: number;
}

export interface ChannelRouter {
  /** The best channel among `candidates` (banks that serve the card), or undefined if none is known. */
  pick(candidates: readonly string[]): string | undefined;
  /** Candidates from best to worst, with the figures that ranked them. */
  rank(candidates: readonly string[]): ChannelStats[];
  record(bank: string, outcome: ChannelOutcome): void;
  /** Records a debit/credit result, skipping declines that are the card's fault, not the bank's. */
  recordResult(bank: string, result: MoneyResult): void;
  successRate(bank: string): number | undefined;
  /** The bank's fee in basis points, or undefined if the router does not know the bank. */
  fee(bank: string): number | undefined;
  stats(): ChannelStats[];
  setFee(bank: string, feeBps: number): void;
}

const DEFAULT_MAX_AGE_MS = 10 * 60_000;

/** Declines caused by the card or the request; they say nothing about the channel's health. */
const NOT_THE_CHANNEL = new Set(['insufficient_funds', 'token_unknown', 'currency_not_supported', 'invalid_request']);

export function channelOutcome(result: MoneyResult): ChannelOutcome | undefined {
  if (result.status === 'failed' && NOT_THE_CHANNEL.has(result.reason)) return undefined;
  return result.status;
}

export function createChannelRouter(options: RouterOptions): ChannelRouter {
  const windowSize = options.windowSize ?? 100;
  const tolerance = options.tolerance ?? 0.02;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (!Number.isInteger(windowSize) || windowSize < 1) throw new RangeError('windowSize must be a positive integer');
  const fees = new Map<string, number>();
  const windows = new Map<string, SlidingWindow>();
  const setFee = (bank: string, feeBps: number) => {
    if (!(feeBps >= 0)) throw new RangeError(`fee of ${bank} must be a non-negative number of basis points`);
    fees.set(bank, feeBps);
    if (!windows.has(bank)) windows.set(bank, new SlidingWindow(windowSize, maxAgeMs, options.now));
  };
  for (const channel of options.channels) setFee(channel.bank, channel.feeBps);

  const statsOf = (bank: string): ChannelStats => {
    const window = windows.get(bank)!;
    return { bank, successRate: window.rate() ?? 1, samples: window.size(), feeBps: fees.get(bank)! };
  };
  const rank = (candidates: readonly string[]) => order([...new Set(candidates)].filter((b) => fees.has(b)).map(statsOf), tolerance);
  const record = (bank: string, outcome: ChannelOutcome) => {
    const window = windows.get(bank);
    if (!window) return;
    window.push(outcome === 'succeeded');
    if (options.publishMetrics ?? true) channelSuccessRate.set({ bank }, window.rate()!);
  };

  return {
    pick: (candidates) => rank(candidates)[0]?.bank,
    rank,
    record,
    recordResult(bank, result) {
      const outcome = channelOutcome(result);
      if (outcome) record(bank, outcome);
    },
    successRate: (bank) => windows.get(bank)?.rate(),
    fee: (bank) => fees.get(bank),
    stats: () => [...fees.keys()].map(statsOf),
    setFee,
  };
}

/** Healthy channels (within tolerance of the best rate) first, cheapest first; then the rest by rate. */
function order(stats: ChannelStats[], tolerance: number): ChannelStats[] {
  const best = Math.max(...stats.map((s) => s.successRate));
  const healthy = (s: ChannelStats) => s.successRate >= best - tolerance;
  return stats.sort((a, b) => {
    if (healthy(a) !== healthy(b)) return healthy(a) ? -1 : 1;
    const byFee = a.feeBps - b.feeBps;
    const byRate = b.successRate - a.successRate;
    const primary = healthy(a) ? byFee || byRate : byRate || byFee;
    return primary || a.bank.localeCompare(b.bank);
  });
}

/**
 * The last N outcomes of one channel that are younger than the maximum age. Forgetting by age
 * matters: a channel the router stopped using gets no new outcomes, so only age can clear its
 * bad record and let it be tried again.
 */
class SlidingWindow {
  private readonly outcomes: { success: boolean; atMs: number }[] = [];

  constructor(
    private readonly capacity: number,
    private readonly maxAgeMs: number,
    private readonly now: () => number,
  ) {}

  push(success: boolean): void {
    this.outcomes.push({ success, atMs: this.now() });
    if (this.outcomes.length > this.capacity) this.outcomes.shift();
  }

  size(): number {
    this.forgetOld();
    return this.outcomes.length;
  }

  rate(): number | undefined {
    this.forgetOld();
    if (this.outcomes.length === 0) return undefined;
    return this.outcomes.filter((o) => o.success).length / this.outcomes.length;
  }

  private forgetOld(): void {
    const oldest = this.now() - this.maxAgeMs;
    while (this.outcomes.length > 0 && this.outcomes[0].atMs < oldest) this.outcomes.shift();
  }
}
