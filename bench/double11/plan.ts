// What the Double-11 scenario's load worker is told (one JSON argument) and what it prints back:
// the world the setup made through the API, the rate profile, and per-flow counts and latencies.

export const FLOWS = ['instant', 'escrow', 'packet', 'fund'] as const;
export type Flow = (typeof FLOWS)[number];

/** The mix of the spec's scenario: instant payments, escrow trades, red-packet opens, fund subscriptions. */
export const FLOW_SHARES: Record<Flow, number> = { instant: 0.6, escrow: 0.25, packet: 0.1, fund: 0.05 };

export const FLOW_LABEL: Record<Flow, string> = {
  instant: 'instant payment (paycode, v3 trade/pay)',
  escrow: 'escrow trade (create, pay, ship, confirm)',
  packet: 'red-packet open',
  fund: 'fund subscription (1.00 CNY)',
};

export interface MerchantApp {
  readonly appId: string;
  readonly privateKey: string;
}

export interface World {
  readonly url: string;
  readonly buyerTokens: readonly string[];
  /** Every buyer is a member of the group the packets are sent to. */
  readonly packetIds: readonly string[];
  readonly packetShares: number;
  readonly merchants: readonly MerchantApp[];
  readonly fundId: string;
}

export interface RateProfile {
  /** Flows started per second once the ramp is over. */
  readonly targetPerSecond: number;
  readonly rampSeconds: number;
  readonly holdSeconds: number;
  /** Flows in flight at most; a flow due beyond it is shed (counted, not started). */
  readonly maxInFlight: number;
}

export interface LoadOrder {
  readonly world: World;
  readonly profile: RateProfile;
  /** Where the worker writes what was acknowledged, one JSON line per flow kind. */
  readonly ackFile: string;
}

export interface FlowTally {
  readonly started: number;
  readonly ok: number;
  readonly failed: number;
  readonly shed: number;
  /** Successful flows that ended inside the hold phase. */
  readonly okInHold: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly firstFailure: string | null;
}

export interface LoadReport {
  readonly holdSeconds: number;
  readonly flows: Record<Flow, FlowTally>;
  /** Payments (instant + escrow trades) acknowledged as successful, in the whole run. */
  readonly acknowledged: { readonly trades: number; readonly opens: number; readonly subscriptions: number };
}

/** What the worker acknowledged, for the check against the store after the run. */
export interface Acknowledged {
  readonly tradeNos: string[];
  readonly opens: { packetId: string; amount: string }[];
  readonly subscriptionIds: string[];
}
