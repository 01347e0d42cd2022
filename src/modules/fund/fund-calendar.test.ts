import { describe, expect, it } from 'vitest';
import { addDays, isCalendarDate, shanghaiDate, startOfShanghaiDay, TradingCalendar } from './fund-calendar.ts';

/** An instant given as Shanghai wall-clock time. */
const shanghai = (date: string, time: string) => Date.parse(`${date}T${time}+08:00`);

// 2026-03-05 is a Thursday.
const THURSDAY = '2026-03-05';
const FRIDAY = '2026-03-06';
const MONDAY = '2026-03-09';
const TUESDAY = '2026-03-10';

describe('trading calendar', () => {
  const calendar = new TradingCalendar();

  it('Thursday before 15:00 is confirmed Friday (the spec example)', () => {
    expect(calendar.tradingDayOf(shanghai(THURSDAY, '14:59:59'))).toBe(THURSDAY);
    expect(calendar.confirmDateOf(shanghai(THURSDAY, '14:59:59'))).toBe(FRIDAY);
  });

  it('Friday before 15:00 is confirmed Monday (the spec example)', () => {
    expect(calendar.confirmDateOf(shanghai(FRIDAY, '09:30:00'))).toBe(MONDAY);
  });

  it('15:00 sharp and later counts as the next trading day', () => {
    expect(calendar.tradingDayOf(shanghai(THURSDAY, '15:00:00'))).toBe(FRIDAY);
    expect(calendar.confirmDateOf(shanghai(THURSDAY, '15:00:00'))).toBe(MONDAY);
    expect(calendar.confirmDateOf(shanghai(FRIDAY, '15:00:00'))).toBe(TUESDAY);
  });

  it('a weekend order counts for Monday and is confirmed Tuesday', () => {
    expect(calendar.tradingDayOf(shanghai('2026-03-07', '10:00:00'))).toBe(MONDAY);
    expect(calendar.confirmDateOf(shanghai('2026-03-08', '23:59:59'))).toBe(TUESDAY);
  });

  it('uses the Shanghai date, not UTC: 01:00 Friday in Shanghai is Thursday in UTC', () => {
    const ms = shanghai(FRIDAY, '01:00:00');
    expect(new Date(ms).toISOString().slice(0, 10)).toBe(THURSDAY);
    expect(calendar.tradingDayOf(ms)).toBe(FRIDAY);
  });

  it('skips configured holidays, and the list can be replaced', () => {
    const holidays = new TradingCalendar([FRIDAY]);
    expect(holidays.confirmDateOf(shanghai(THURSDAY, '10:00:00'))).toBe(MONDAY);
    expect(holidays.tradingDayOf(shanghai(FRIDAY, '10:00:00'))).toBe(MONDAY);
    holidays.setHolidays([MONDAY, TUESDAY]);
    expect(holidays.confirmDateOf(shanghai(THURSDAY, '10:00:00'))).toBe(FRIDAY);
    expect(holidays.confirmDateOf(shanghai(FRIDAY, '10:00:00'))).toBe('2026-03-11');
    expect(holidays.holidayList()).toEqual([MONDAY, TUESDAY]);
  });

  it('crosses a long holiday (the National Day week)', () => {
    const golden = new TradingCalendar(['2026-10-01', '2026-10-02', '2026-10-05', '2026-10-06', '2026-10-07']);
    // Wednesday 30 September before the cut-off: confirmed on Thursday 8 October.
    expect(golden.confirmDateOf(shanghai('2026-09-30', '10:00:00'))).toBe('2026-10-08');
  });

  it('date helpers: start of day, adding days, real dates only', () => {
    expect(shanghaiDate(startOfShanghaiDay(FRIDAY))).toBe(FRIDAY);
    expect(shanghaiDate(startOfShanghaiDay(FRIDAY) - 1)).toBe(THURSDAY);
    expect(addDays('2026-02-28', 1)).toBe('2026-03-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(isCalendarDate('2026-02-29')).toBe(false);
    expect(isCalendarDate('2026-2-1')).toBe(false);
    expect(isCalendarDate('2028-02-29')).toBe(true);
  });
});
