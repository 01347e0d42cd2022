// Premiums from return histories: bounded, priced up by returns, and exact in fen; the loss ratio.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ratio } from './insurance.ts';
import { MAX_PREMIUM_MINOR, MIN_PREMIUM_MINOR, PAYOUT_MINOR, quote } from './pricing.ts';

const history = fc.integer({ min: 0, max: 100_000 }).chain((paid) => fc.integer({ min: 0, max: paid }).map((returned) => ({ paid, returned })));

describe('return-shipping insurance pricing', () => {
  it('prices a newcomer on the prior, and serial returners at the cap', () => {
    // 10% expected returns: 0.50 + 10.00 × 0.10 × 1.2 = 1.70 CNY.
    expect(quote({ paid: 0, returned: 0 }, { paid: 0, returned: 0 })).toEqual({ premiumMinor: 170n, payoutMinor: PAYOUT_MINOR });
    // A clean seller and buyer with long histories pay near the floor.
    expect(quote({ paid: 10_000, returned: 0 }, { paid: 1_000, returned: 0 }).premiumMinor).toBe(51n);
    expect(quote({ paid: 100, returned: 90 }, { paid: 20, returned: 20 }).premiumMinor).toBe(MAX_PREMIUM_MINOR);
  });

  it('is always within the bounds', () => {
    fc.assert(
      fc.property(history, history, (s, b) => {
        const { premiumMinor } = quote(s, b);
        expect(premiumMinor >= MIN_PREMIUM_MINOR && premiumMinor <= MAX_PREMIUM_MINOR).toBe(true);
      }),
    );
  });

  it('never prices a trade lower because the buyer or the seller returned more', () => {
    fc.assert(
      fc.property(history, history, (s, b) => {
        const base = quote(s, b).premiumMinor;
        expect(quote({ paid: s.paid + 1, returned: s.returned + 1 }, b).premiumMinor >= base).toBe(true);
        expect(quote(s, { paid: b.paid + 1, returned: b.returned + 1 }).premiumMinor >= base).toBe(true);
      }),
    );
  });

  it('refuses an impossible history', () => {
    expect(() => quote({ paid: 1, returned: 2 }, { paid: 0, returned: 0 })).toThrow(RangeError);
  });
});

describe('loss ratio', () => {
  it('is claims over premiums to 4 decimals, rounded half up, and null without premiums', () => {
    expect(ratio(3_000n, 1_000n)).toBe('3.0000');
    expect(ratio(1n, 3n)).toBe('0.3333');
    expect(ratio(2n, 3n)).toBe('0.6667');
    expect(ratio(0n, 500n)).toBe('0.0000');
    expect(ratio(10n, 0n)).toBeNull();
  });
});
