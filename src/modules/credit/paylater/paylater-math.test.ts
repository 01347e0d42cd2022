// The pay-later arithmetic: statement months across year ends, the minimum, and instalment plans whose
// principal and fee add up exactly to the statement and the listed fee for every term.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dueDate, instalmentPlan, minimumPayment, statementMonthOf } from './paylater-math.ts';

describe('the pay-later cycle', () => {
  it('bills a month on the next month statement, due on the 10th', () => {
    expect(statementMonthOf('2026-01-31')).toBe('2026-02');
    expect(statementMonthOf('2026-12-05')).toBe('2027-01');
    expect(dueDate('2027-01')).toBe('2027-01-10');
    expect(minimumPayment(123_45n)).toBe(12_35n);
  });

  it('splits 1,000.00 into 3 months for 2.5%: 25.00 of fee, 8.33 a month', () => {
    expect(instalmentPlan(100_000n, '2026-04', 3)).toEqual({
      fee: 2_500n,
      plan: [
        { dueDate: '2026-04-10', principal: 33_333n, fee: 833n },
        { dueDate: '2026-05-10', principal: 33_333n, fee: 833n },
        { dueDate: '2026-06-10', principal: 33_334n, fee: 834n },
      ],
    });
    expect(instalmentPlan(100_000n, '2026-04', 12).fee).toBe(8_800n);
    expect(() => instalmentPlan(100_000n, '2026-04', 4)).toThrow(RangeError);
  });

  it('adds up exactly for any amount and term', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10_000_000_00n }), fc.constantFrom(3, 6, 9, 12), (amount, months) => {
        const { fee, plan } = instalmentPlan(amount, '2026-11', months);
        expect(plan.reduce((s, i) => s + i.principal, 0n)).toBe(amount);
        expect(plan.reduce((s, i) => s + i.fee, 0n)).toBe(fee);
        for (const i of plan) expect(i.principal >= 0n && i.fee >= 0n).toBe(true);
      }),
    );
  });
});
