// The loan arithmetic to the fen: hand-computed schedules, and properties over random amounts that
// interest rounding books its remainder and that a repayment's parts always add up to it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  accrueDay,
  allocateRepayment,
  bucketOf,
  DAILY_RATE_PPM,
  type Owed,
  provisionFor,
  RATE_SCALE,
  REPAYMENT_ORDER,
  roundHalfUp,
  settleCarry,
  totalOwed,
} from './loan-math.ts';
import { addMonths, INSTALMENT_MONTHS, instalmentSchedule, shortSchedule } from './loan-schedule.ts';

const fen = fc.bigInt({ min: 0n, max: 10_000_000_00n });

describe('short loans', () => {
  it('charge 1,000.00 CNY for 30 days 12.00 CNY, at maturity', () => {
    expect(shortSchedule(100_000n, '2026-01-15', 30)).toEqual([{ dueDate: '2026-02-14', principal: 100_000n, interest: 1_200n }]);
  });

  it('round half-up once: 1,234.56 CNY for 7 days is 3.456... -> 3.46', () => {
    expect(shortSchedule(123_456n, '2026-01-01', 7)[0].interest).toBe(346n);
  });
});

describe('instalment schedules', () => {
  it('equal principal over 3 months: 1,000.00 CNY from 2026-01-31, the last absorbing the rounding', () => {
    // 33,333 / 33,333 / 33,334 fen; interest 0.035% a day on what is outstanding for 28, 31, 30 days.
    expect(instalmentSchedule(100_000n, '2026-01-31', 3, 'equal_principal')).toEqual([
      { dueDate: '2026-02-28', principal: 33_333n, interest: 980n },
      { dueDate: '2026-03-31', principal: 33_333n, interest: 723n },
      { dueDate: '2026-04-30', principal: 33_334n, interest: 350n },
    ]);
  });

  it('annuity over 3 months: a level 340.36 CNY at the 30-day rate, interest for the actual days', () => {
    // A = 100,000 x 0.0105 x 1.0105^3 / (1.0105^3 - 1) = 34,035.77 -> 34,036 fen; March has 31 days,
    // April 30; the last instalment takes what is left (33,717) with its own 31 days of interest.
    expect(instalmentSchedule(100_000n, '2026-03-01', 3, 'annuity')).toEqual([
      { dueDate: '2026-04-01', principal: 32_951n, interest: 1_085n },
      { dueDate: '2026-05-01', principal: 33_332n, interest: 704n },
      { dueDate: '2026-06-01', principal: 33_717n, interest: 366n },
    ]);
  });

  it('repays exactly the principal for every term and method', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 100_000_000n }),
        fc.constantFrom(...INSTALMENT_MONTHS),
        fc.constantFrom('equal_principal' as const, 'annuity' as const),
        (principal, months, method) => {
          const schedule = instalmentSchedule(principal, '2026-05-31', months, method);
          expect(schedule).toHaveLength(months);
          expect(schedule.reduce((s, i) => s + i.principal, 0n)).toBe(principal);
          for (const i of schedule) expect(i.principal >= 0n && i.interest >= 0n).toBe(true);
        },
      ),
    );
  });

  it('adds months the calendar way', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });
});

describe('daily accrual', () => {
  it('books, over any run of days, exactly the once-rounded interest: the remainder is never lost', () => {
    fc.assert(
      fc.property(fen, fc.integer({ min: 1, max: 400 }), fc.constantFrom(...Object.values(DAILY_RATE_PPM)), (base, days, rate) => {
        let carry = 0n;
        let booked = 0n;
        for (let d = 0; d < days; d++) {
          const day = accrueDay(base, rate, carry);
          booked += day.booked;
          carry = day.carry;
          expect(carry >= 0n && carry < RATE_SCALE).toBe(true);
        }
        expect(booked + settleCarry(carry)).toBe(roundHalfUp(base * rate * BigInt(days), RATE_SCALE));
      }),
    );
  });
});

describe('repayment allocation', () => {
  const owedArb = fc
    .record({ penaltyInterest: fen, overdueInterest: fen, overduePrincipal: fen, interest: fen, principal: fen })
    .filter((o) => totalOwed(o) > 0n);

  it('sums exactly to the repayment and fills each part before the next', () => {
    fc.assert(
      fc.property(owedArb, fc.double({ min: 0, max: 1, noNaN: true }), (owed: Owed, share) => {
        const total = totalOwed(owed);
        const amount = 1n + (BigInt(Math.floor(share * 1e9)) * (total - 1n)) / 1_000_000_000n;
        const applied = allocateRepayment(amount, owed);
        expect(totalOwed(applied)).toBe(amount);
        const firstShort = REPAYMENT_ORDER.findIndex((p) => applied[p] < owed[p]);
        if (firstShort >= 0) for (const later of REPAYMENT_ORDER.slice(firstShort + 1)) expect(applied[later]).toBe(0n);
      }),
    );
  });

  it('takes penalty, overdue interest, overdue principal, interest, then principal', () => {
    const owed = { penaltyInterest: 30n, overdueInterest: 200n, overduePrincipal: 1_000n, interest: 50n, principal: 5_000n };
    expect(allocateRepayment(1_250n, owed)).toEqual({ penaltyInterest: 30n, overdueInterest: 200n, overduePrincipal: 1_000n, interest: 20n, principal: 0n });
    expect(() => allocateRepayment(6_281n, owed)).toThrow(RangeError);
  });
});

describe('buckets and provisions', () => {
  it('moves through the buckets day by day and provisions by the policy', () => {
    expect([0, 1, 30, 31, 60, 61, 90, 91].map(bucketOf)).toEqual(['current', '1-30', '1-30', '31-60', '31-60', '61-90', '61-90', '90+']);
    expect([0, 15, 45, 75, 120].map((d) => provisionFor(100_050n, d))).toEqual([1_001n, 5_003n, 25_013n, 50_025n, 100_050n]);
  });
});
