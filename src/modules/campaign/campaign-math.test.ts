// The campaign's pure parts, property-tested: the prize split pays at most the pool and exactly
// the pool less the booked remainder, equal shares differ by nothing and keep under one fen per
// winner; the random split gives every winner at least 1 fen; cards follow their odds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seededInts } from '../redpacket/split.ts';
import { CARD_KINDS, type CardOdds, drawCard, isComplete, validOdds } from './cards.ts';
import { splitPrizePool } from './prize-split.ts';

describe('splitPrizePool', () => {
  it('pays the pool less the remainder, never more; equal shares are equal and the remainder under one fen each', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 2_000 }),
        fc.constantFrom('equal' as const, 'random' as const),
        fc.integer(),
        (pool, winners, policy, seed) => {
          const { shares, remainder } = splitPrizePool(pool, winners, policy, seededInts(seed));
          expect(shares).toHaveLength(winners);
          expect(shares.reduce((a, b) => a + b, 0n) + remainder).toBe(pool);
          expect(remainder).toBeGreaterThanOrEqual(0n);
          if (winners > 0) expect(remainder).toBeLessThan(BigInt(winners));
          if (policy === 'equal') expect(new Set(shares).size).toBeLessThanOrEqual(1);
          if (policy === 'random' && pool >= BigInt(winners)) expect(shares.every((s) => s >= 1n)).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('splits 2016 style: 215,000,000.00 CNY among 791,405 winners, about 271.66 each', () => {
    const { shares, remainder } = splitPrizePool(21_500_000_000n, 791_405, 'equal', seededInts(1));
    expect(shares[0]).toBe(27_166n);
    expect(remainder).toBe(21_500_000_000n - 27_166n * 791_405n);
  });

  it('keeps the whole pool when nobody holds a set', () => {
    expect(splitPrizePool(500n, 0, 'equal', seededInts(1))).toEqual({ shares: [], remainder: 500n });
  });
});

describe('cards', () => {
  const odds: CardOdds = { 富强: 30, 爱国: 30, 和谐: 30, 友善: 30, 敬业: 1 };

  it('draws each kind about as often as its weight says; the scarce one rarely', () => {
    const random = seededInts(2016);
    const seen = new Map<string, number>();
    const draws = 121_000;
    for (let i = 0; i < draws; i++) {
      const card = drawCard(odds, random);
      seen.set(card, (seen.get(card) ?? 0) + 1);
    }
    for (const kind of CARD_KINDS) expect(Math.abs((seen.get(kind) ?? 0) - (draws * odds[kind]) / 121)).toBeLessThan(draws * 0.01);
  });

  it('never draws a kind of weight 0, and refuses odds that draw nothing', () => {
    const random = seededInts(3);
    for (let i = 0; i < 1_000; i++) expect(drawCard({ ...odds, 敬业: 0 }, random)).not.toBe('敬业');
    expect(validOdds({ 富强: 0, 爱国: 0, 和谐: 0, 友善: 0, 敬业: 0 })).toBe(false);
    expect(validOdds({ ...odds, 和谐: -1 })).toBe(false);
    expect(validOdds(odds)).toBe(true);
  });

  it('calls a set complete with one of every kind', () => {
    expect(isComplete({ 富强: 1, 爱国: 2, 和谐: 1, 友善: 1, 敬业: 1 })).toBe(true);
    expect(isComplete({ 富强: 1, 爱国: 2, 和谐: 1, 友善: 1 })).toBe(false);
  });
});
