// The double-average split, property-tested over many seeded packets: every share at least 1 fen,
// each draw within its double average, the sum exact to the fen, the last share the rest, and a
// mean near amount / shares; the same seed gives the same packet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equalSplit, luckySplit, type RandomInts, seededInts } from './split.ts';

const packets = fc
  .integer({ min: 1, max: 100 })
  .chain((count) => fc.record({ count: fc.constant(count), total: fc.bigInt({ min: BigInt(count), max: 20_000n }), seed: fc.integer() }));

describe('luckySplit', () => {
  it('gives every share at least 1 fen, within its double average, and sums exactly to the amount', () => {
    fc.assert(
      fc.property(packets, ({ count, total, seed }) => {
        const shares = luckySplit(total, count, seededInts(seed));
        expect(shares).toHaveLength(count);
        expect(shares.reduce((a, b) => a + b, 0n)).toBe(total);
        let remaining = total;
        shares.forEach((share, i) => {
          const left = BigInt(count - i);
          expect(share).toBeGreaterThanOrEqual(1n);
          if (left > 1n) {
            expect(share).toBeLessThanOrEqual((2n * remaining) / left);
            expect(remaining - share).toBeGreaterThanOrEqual(left - 1n);
          } else {
            expect(share).toBe(remaining);
          }
          remaining -= share;
        });
      }),
      { numRuns: 2_000 },
    );
  });

  it('replays the same packet from the same seed', () => {
    fc.assert(
      fc.property(packets, ({ count, total, seed }) => {
        expect(luckySplit(total, count, seededInts(seed))).toEqual(luckySplit(total, count, seededInts(seed)));
      }),
    );
  });

  it('draws each share from the whole range its bounds allow', () => {
    // A source that always answers the top of the range, then one that answers the bottom.
    const top: RandomInts = { between: (_min, max) => max };
    const bottom: RandomInts = { between: (min) => min };
    expect(luckySplit(1000n, 4, top)).toEqual([500n, 333n, 166n, 1n]);
    expect(luckySplit(1000n, 4, bottom)).toEqual([1n, 1n, 1n, 997n]);
    expect(luckySplit(3n, 3, top)).toEqual([1n, 1n, 1n]);
  });

  it('averages amount / shares for each position over many packets', () => {
    const random = seededInts(7);
    const sums = new Array<bigint>(10).fill(0n);
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      for (const [j, share] of luckySplit(10_000n, 10, random).entries()) sums[j] += share;
    }
    for (const sum of sums) expect(Math.abs(Number(sum) / runs - 1_000)).toBeLessThan(30);
  });

  it('refuses a packet that cannot give each share 1 fen', () => {
    expect(() => luckySplit(2n, 3, seededInts(1))).toThrow();
    expect(() => luckySplit(5n, 0, seededInts(1))).toThrow();
  });
});

describe('equalSplit', () => {
  it('repeats the share amount', () => {
    expect(equalSplit(88n, 3)).toEqual([88n, 88n, 88n]);
  });
});
