// Return-shipping insurance pricing, pure and in fen. The premium is a base plus a risk loading:
// the expected claim (the payout times the chance of a return, blended from the seller's and the
// buyer's return history) with a margin, bounded to 0.50-5.00 CNY. Histories are smoothed towards
// a prior (one return in ten trades) so a newcomer is priced like an average trade, not for free.
// The public scheme was priced too low for years; this prices each trade from who is in it.

/** What the claim pays: the public scheme paid 8-12 CNY by distance; Formica knows no addresses yet. */
export const PAYOUT_MINOR = 1_000n;
export const BASE_PREMIUM_MINOR = 50n;
export const MIN_PREMIUM_MINOR = 50n;
export const MAX_PREMIUM_MINOR = 500n;
/** The loading on the expected claim, as a fraction: 6/5 = 20% margin. */
const MARGIN = { num: 6n, den: 5n };
const PRIOR = { returned: 1n, paid: 10n };

export interface ReturnHistory {
  /** Paid trades, and of them those refunded (returned). */
  readonly paid: number;
  readonly returned: number;
}

export interface Quote {
  readonly premiumMinor: bigint;
  readonly payoutMinor: bigint;
}

export function quote(seller: ReturnHistory, buyer: ReturnHistory, payoutMinor: bigint = PAYOUT_MINOR): Quote {
  const s = smoothed(seller);
  const b = smoothed(buyer);
  // payout × (s + b) / 2 × margin, as one fraction rounded half up.
  const num = payoutMinor * (s.num * b.den + b.num * s.den) * MARGIN.num;
  const den = 2n * s.den * b.den * MARGIN.den;
  const loading = (2n * num + den) / (2n * den);
  return { premiumMinor: clamp(BASE_PREMIUM_MINOR + loading), payoutMinor };
}

function smoothed(h: ReturnHistory): { num: bigint; den: bigint } {
  if (!Number.isInteger(h.paid) || !Number.isInteger(h.returned) || h.returned < 0 || h.returned > h.paid)
    throw new RangeError('a history has 0 <= returned <= paid');
  return { num: BigInt(h.returned) + PRIOR.returned, den: BigInt(h.paid) + PRIOR.paid };
}

function clamp(minor: bigint): bigint {
  return minor < MIN_PREMIUM_MINOR ? MIN_PREMIUM_MINOR : minor > MAX_PREMIUM_MINOR ? MAX_PREMIUM_MINOR : minor;
}
