// How a packet's amount becomes its shares. Pure: the random draws come from an injected source,
// a cryptographic one in production and a seeded one in tests, so a test replays the same packet.
import { randomInt } from 'node:crypto';

/** Whole numbers drawn uniformly from an inclusive range. */
export interface RandomInts {
  between(min: number, max: number): number;
}

/** node:crypto's CSPRNG: nobody can predict the next share, so nobody can time an open for the big one. */
export const cryptoInts: RandomInts = { between: (min, max) => randomInt(min, max + 1) };

/** mulberry32: reproducible draws for tests and benchmarks (not for production). */
export function seededInts(seed: number): RandomInts {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { between: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/**
 * The double-average split: with `remaining` fen and `n` shares left, a share is drawn uniformly
 * from [1, floor(2 * remaining / n)], capped so every later share still gets at least 1 fen; the
 * last share takes the rest. Every share is at least 1 fen and the shares sum to `total` exactly.
 * `total` is a packet's amount (at most a few tens of thousands of fen), so draws fit a number.
 */
export function luckySplit(total: bigint, count: number, random: RandomInts): bigint[] {
  if (count < 1 || total < BigInt(count)) throw new Error(`cannot split ${total} fen into ${count} shares of at least 1 fen`);
  const shares: bigint[] = [];
  let remaining = total;
  for (let left = count; left > 1; left--) {
    const doubleAverage = (2n * remaining) / BigInt(left);
    const keepForLater = remaining - BigInt(left - 1);
    const cap = doubleAverage < keepForLater ? doubleAverage : keepForLater;
    const share = BigInt(random.between(1, Number(cap)));
    shares.push(share);
    remaining -= share;
  }
  shares.push(remaining);
  return shares;
}

/** An equal packet: `count` shares of `each`. */
export function equalSplit(each: bigint, count: number): bigint[] {
  return Array.from({ length: count }, () => each);
}
