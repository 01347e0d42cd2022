// The campaign's money arithmetic, pure. At the reveal the prize pool is split among the users who
// hold a complete set: equally to the fen (the remainder stays in the pool account), or at random
// with a floor of 1 fen each (the double-average split, which pays out the whole pool).
import { luckySplit, type RandomInts } from '../redpacket/split.ts';

export type SplitPolicy = 'equal' | 'random';

export interface PrizeSplit {
  /** One amount per winner, in the winners' order. */
  readonly shares: bigint[];
  /** What stays in the pool: the equal split's leftover fen (never more than winners - 1). */
  readonly remainder: bigint;
}

/** Whether the pool is split at random: asked for, and enough to give every winner a fen. */
export function splitsAtRandom(pool: bigint, winners: number, policy: SplitPolicy): boolean {
  return policy === 'random' && winners > 0 && pool >= BigInt(winners);
}

/** Equal shares rounded down to the fen; the leftover fen (fewer than the winners) stay in the pool. */
export function equalShare(pool: bigint, winners: number): { each: bigint; remainder: bigint } {
  if (winners === 0) return { each: 0n, remainder: pool };
  const each = pool / BigInt(winners);
  return { each, remainder: pool - each * BigInt(winners) };
}

export function splitPrizePool(pool: bigint, winners: number, policy: SplitPolicy, random: RandomInts): PrizeSplit {
  if (splitsAtRandom(pool, winners, policy)) return { shares: luckySplit(pool, winners, random), remainder: 0n };
  // Equal, or random with too little to give each winner a fen: equal shares, the rest kept.
  const { each, remainder } = equalShare(pool, winners);
  return { shares: Array.from({ length: winners }, () => each), remainder };
}
