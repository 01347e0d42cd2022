// The autopay's run instants: its day at 10:00 Shanghai, the next month once today's has passed.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthOf, nextRunAt } from './autopay-schedule.ts';
import { maskHolder } from './bills.ts';

describe('autopay schedule', () => {
  it('runs on the day at 10:00 Shanghai, or next month when that has passed', () => {
    expect(new Date(nextRunAt(Date.UTC(2026, 5, 10, 1, 0), 10)).toISOString()).toBe('2026-06-10T02:00:00.000Z');
    expect(new Date(nextRunAt(Date.UTC(2026, 5, 10, 2, 0), 10)).toISOString()).toBe('2026-07-10T02:00:00.000Z');
    // 23:00 UTC on 31 Dec is already 1 Jan in Shanghai.
    expect(new Date(nextRunAt(Date.UTC(2026, 11, 31, 23, 0), 1)).toISOString()).toBe('2027-01-01T02:00:00.000Z');
    expect(new Date(nextRunAt(Date.UTC(2026, 11, 20), 28)).toISOString()).toBe('2026-12-28T02:00:00.000Z');
    expect(monthOf(Date.UTC(2026, 11, 28, 2))).toBe('2026-12');
  });

  it('is always later, on the asked day, within about a month', () => {
    const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2040, 0, 1) });
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 28 }), (now, day) => {
        const next = nextRunAt(now, day);
        expect(next).toBeGreaterThan(now);
        expect(next - now).toBeLessThanOrEqual(31 * 86_400_000);
        expect(new Date(next + 8 * 3_600_000).getUTCDate()).toBe(day);
        expect(monthOf(nextRunAt(next, day))).not.toBe(monthOf(next));
      }),
    );
  });

  it('masks all of the holder but the last character', () => {
    expect(maskHolder('王芳')).toBe('*芳');
    expect(maskHolder('欧阳明日')).toBe('***日');
    expect(maskHolder('李')).toBe('*');
  });
});
