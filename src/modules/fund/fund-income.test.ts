import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accrue, E8_PER_FEN, formatIncomePer10k, parseIncomePer10k, sevenDayYield } from './fund-income.ts';

/** R between 0 and 3.0000 CNY per 10,000 shares (a 7-day yield up to about 11.6%). */
const dailyR = fc.bigInt({ min: 0n, max: 30_000n });
/** Odd share counts: any fen amount from 0.01 to 100,000.00. */
const holding = fc.bigInt({ min: 1n, max: 10_000_000n });

interface Holder {
  shares: bigint;
  carry: bigint;
  paid: bigint;
  /** The exact income earned so far, in 10^-8 fen. */
  exactE8: bigint;
}

/** A year of daily income, reinvested, for every holder and for the fund as a whole. */
function simulate(start: readonly bigint[], rates: readonly bigint[]) {
  const holders: Holder[] = start.map((shares) => ({ shares, carry: 0n, paid: 0n, exactE8: 0n }));
  let fundCarry = 0n;
  let declared = 0n;
  for (const r of rates) {
    const total = holders.reduce((sum, h) => sum + h.shares, 0n);
    const fund = accrue(total, r, fundCarry);
    declared += fund.paidMinor;
    fundCarry = fund.carryE8;
    for (const h of holders) {
      h.exactE8 += h.shares * r;
      const day = accrue(h.shares, r, h.carry);
      h.carry = day.carryE8;
      h.paid += day.paidMinor;
      h.shares += day.paidMinor;
    }
  }
  return { holders, declared, fundCarry };
}

describe('daily income: cut to the fen, fraction carried', () => {
  it('parses and formats R with exactly 4 decimals', () => {
    expect(parseIncomePer10k('1.2345')).toBe(12345n);
    expect(parseIncomePer10k('0.0001')).toBe(1n);
    expect(formatIncomePer10k(1n)).toBe('0.0001');
    expect(formatIncomePer10k(16438n)).toBe('1.6438');
    for (const bad of ['1.234', '1.23456', '-1.0000', '1', ' 1.0000', '1e2.0000']) expect(() => parseIncomePer10k(bad)).toThrow(/4 places/);
  });

  it('pays 10,000 shares exactly R, and carries a third of a fen', () => {
    expect(accrue(1_000_000n, 12345n, 0n)).toEqual({ paidMinor: 123n, carryE8: 45_000_000n });
    // 0.33 shares at R = 1.0000: 0.000033 fen a day, carried until it makes a fen.
    expect(accrue(33n, 10_000n, 0n)).toEqual({ paidMinor: 0n, carryE8: 330_000n });
    expect(accrue(33n, 10_000n, 99_900_000n)).toEqual({ paidMinor: 1n, carryE8: 230_000n });
  });

  it('over 365 days each holder is paid within 1 fen of the exact income, never more', () => {
    fc.assert(
      fc.property(fc.array(holding, { minLength: 1, maxLength: 8 }), fc.array(dailyR, { minLength: 365, maxLength: 365 }), (start, rates) => {
        for (const h of simulate(start, rates).holders) {
          const shortE8 = h.exactE8 - h.paid * E8_PER_FEN;
          expect(shortE8).toBeGreaterThanOrEqual(0n);
          expect(shortE8).toBeLessThan(E8_PER_FEN);
          expect(shortE8).toBe(h.carry);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the fund never pays more than it declares; its account keeps less than a fen per holder', () => {
    fc.assert(
      fc.property(fc.array(holding, { minLength: 1, maxLength: 20 }), fc.array(dailyR, { minLength: 1, maxLength: 120 }), (start, rates) => {
        const { holders, declared, fundCarry } = simulate(start, rates);
        const paid = holders.reduce((sum, h) => sum + h.paid, 0n);
        const exactE8 = holders.reduce((sum, h) => sum + h.exactE8, 0n);
        const kept = declared - paid;
        expect(kept).toBeGreaterThanOrEqual(0n);
        expect(kept).toBeLessThan(BigInt(holders.length));
        // Every fraction is somewhere: paid, kept on the fund's account, or carried (fund-wide).
        expect(declared * E8_PER_FEN + fundCarry).toBe(exactE8);
      }),
      { numRuns: 100 },
    );
  });
});

describe('7-day annualized yield', () => {
  const floatYield = (rs: readonly bigint[]) => (rs.reduce((p, r) => p * (1 + Number(r) / 1e8), 1) ** (365 / 7) - 1) * 100;

  it('compounds daily: R = 1.0000 every day is 3.717%', () => {
    expect(sevenDayYield(Array(7).fill(10_000n))).toBe('3.717');
    expect(sevenDayYield(Array(7).fill(0n))).toBe('0.000');
  });

  it('passes 6% at the 2013 squeeze level of R', () => {
    expect(Number(sevenDayYield(Array(7).fill(16_000n)))).toBeGreaterThan(6);
  });

  it('agrees with the formula in floating point to the third decimal, whatever the order of days', () => {
    fc.assert(
      fc.property(fc.array(dailyR, { minLength: 7, maxLength: 7 }), (rs) => {
        const exact = sevenDayYield(rs);
        expect(exact).toMatch(/^\d+\.\d{3}$/);
        expect(Math.abs(Number(exact) - floatYield(rs))).toBeLessThanOrEqual(0.0005 + 1e-9);
        expect(sevenDayYield([...rs].reverse())).toBe(exact);
      }),
    );
  });

  it('needs exactly seven days', () => {
    expect(() => sevenDayYield([1n])).toThrow();
  });
});
