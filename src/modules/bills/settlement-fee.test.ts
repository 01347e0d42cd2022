// The biller's payout and Formica's fee add up to the collections to the fen, whatever the amount.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billerFee, billerPayout } from './settlement-fee.ts';

const collections = fc.bigInt({ min: 0n, max: 10n ** 15n });
const rate = fc.bigInt({ min: 0n, max: 10_000n });

describe('biller settlement fee', () => {
  it('rounds half up to the fen', () => {
    expect(billerFee(16_350n)).toBe(16n); // 16.35 fen
    expect(billerFee(15_000n)).toBe(15n);
    expect(billerFee(500n)).toBe(1n); // 0.5 fen rounds up
    expect(billerFee(499n)).toBe(0n);
    expect(() => billerFee(-1n)).toThrow(RangeError);
  });

  it('fee plus payout is the collections exactly, the fee within half a fen of the rate', () => {
    fc.assert(
      fc.property(collections, rate, (gross, bp) => {
        const { feeMinor, netMinor } = billerPayout(gross, bp);
        expect(feeMinor + netMinor).toBe(gross);
        expect(feeMinor >= 0n && netMinor >= 0n).toBe(true);
        const exactTimes2 = (gross * bp * 2n) / 10_000n;
        expect(feeMinor * 2n - exactTimes2 <= 1n && exactTimes2 - feeMinor * 2n <= 1n).toBe(true);
      }),
    );
  });

  it('never charges less on more collections', () => {
    fc.assert(
      fc.property(collections, collections, rate, (a, b, bp) => {
        const [low, high] = a < b ? [a, b] : [b, a];
        expect(billerFee(low, bp) <= billerFee(high, bp)).toBe(true);
      }),
    );
  });
});
