// The loan arithmetic, in integer fen: daily rates in parts per million, interest booked by the day
// with the sub-fen remainder carried, repayments split in the spec's order, days-past-due buckets and
// the provision each bucket calls for. Pure functions, property-tested.

export const RATE_SCALE = 1_000_000n;

/** Daily rates in parts per million: 0.04% short, 0.035% instalments; overdue principal pays 1.5 times. */
export const DAILY_RATE_PPM = { short: 400n, instalment: 350n } as const;
export type Product = keyof typeof DAILY_RATE_PPM;

export function penaltyRatePpm(product: Product): bigint {
  return (DAILY_RATE_PPM[product] * 3n) / 2n;
}

export function roundHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (2n * numerator + denominator) / (2n * denominator);
}

export interface Accrual {
  /** Whole fen booked today. */
  readonly booked: bigint;
  /** What is left below one fen, in millionths of a fen, carried to the next day. */
  readonly carry: bigint;
}

/** One day of interest on `base` fen: the whole fen are booked, the remainder carried. */
export function accrueDay(base: bigint, ratePpm: bigint, carry: bigint): Accrual {
  const exact = base * ratePpm + carry;
  return { booked: exact / RATE_SCALE, carry: exact % RATE_SCALE };
}

/** At a due date the carried remainder is rounded half-up: the fen it rounds to is booked, the rest dropped. */
export function settleCarry(carry: bigint): bigint {
  return carry * 2n >= RATE_SCALE ? 1n : 0n;
}

export interface Owed {
  readonly penaltyInterest: bigint;
  readonly overdueInterest: bigint;
  readonly overduePrincipal: bigint;
  readonly interest: bigint;
  readonly principal: bigint;
}

export const REPAYMENT_ORDER = ['penaltyInterest', 'overdueInterest', 'overduePrincipal', 'interest', 'principal'] as const satisfies readonly (keyof Owed)[];

export function totalOwed(owed: Owed): bigint {
  return REPAYMENT_ORDER.reduce((sum, part) => sum + owed[part], 0n);
}

/** Splits a repayment in the spec's order; the parts sum to the amount, which must not exceed what is owed. */
export function allocateRepayment(amount: bigint, owed: Owed): Owed {
  if (amount <= 0n || amount > totalOwed(owed)) throw new RangeError(`repayment ${amount} outside (0, ${totalOwed(owed)}]`);
  let left = amount;
  const applied = {} as Record<keyof Owed, bigint>;
  for (const part of REPAYMENT_ORDER) {
    applied[part] = smaller(left, owed[part]);
    left -= applied[part];
  }
  return applied;
}

export function smaller(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export type Bucket = 'current' | '1-30' | '31-60' | '61-90' | '90+';
export const BUCKETS: readonly Bucket[] = ['current', '1-30', '31-60', '61-90', '90+'];

export function bucketOf(daysPastDue: number): Bucket {
  if (daysPastDue <= 0) return 'current';
  if (daysPastDue <= 30) return '1-30';
  if (daysPastDue <= 60) return '31-60';
  if (daysPastDue <= 90) return '61-90';
  return '90+';
}

/** Provision policy per bucket, in percent of the outstanding principal. */
export const PROVISION_PERCENT: Readonly<Record<Bucket, bigint>> = { current: 1n, '1-30': 5n, '31-60': 25n, '61-90': 50n, '90+': 100n };

export function provisionFor(outstandingPrincipal: bigint, daysPastDue: number): bigint {
  return roundHalfUp(outstandingPrincipal * PROVISION_PERCENT[bucketOf(daysPastDue)], 100n);
}
