// The fund's trading calendar, in Asia/Shanghai (UTC+8 all year, no daylight saving): weekends and
// the configured holidays are closed; an order placed before 15:00 on a trading day belongs to
// that day, later ones to the next trading day; the fund confirms it on the trading day after.
// Dates are 'YYYY-MM-DD' strings, which sort and compare as text.

const SHANGHAI_OFFSET_MS = 8 * 3600 * 1000;
const DAY_MS = 24 * 3600 * 1000;
const CUTOFF_HOUR = 15;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** No run of closed days is this long; a longer one means a broken holiday list. */
const MAX_CLOSED_RUN = 60;

/** The Shanghai calendar date of an instant. */
export function shanghaiDate(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a Shanghai date begins (00:00 local). */
export function startOfShanghaiDay(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** True for a real calendar date written 'YYYY-MM-DD' (not "2026-02-30"). */
export function isCalendarDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

function isWeekend(date: string): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday === 0 || weekday === 6;
}

export class TradingCalendar {
  private holidays: ReadonlySet<string>;

  constructor(holidays: Iterable<string> = []) {
    this.holidays = new Set(holidays);
  }

  /** Replaces the holiday list (the operator's whole list, as the route sends it). */
  setHolidays(dates: Iterable<string>): void {
    this.holidays = new Set(dates);
  }

  holidayList(): string[] {
    return [...this.holidays].sort();
  }

  isTradingDay(date: string): boolean {
    return !isWeekend(date) && !this.holidays.has(date);
  }

  /** The first trading day strictly after `date`. */
  nextTradingDay(date: string): string {
    let day = addDays(date, 1);
    for (let n = 0; !this.isTradingDay(day); n++) {
      if (n > MAX_CLOSED_RUN) throw new Error(`no trading day within ${MAX_CLOSED_RUN} days after ${date}`);
      day = addDays(day, 1);
    }
    return day;
  }

  /** The trading day an order placed at `ms` counts for: today before the 15:00 cut-off on a trading day, else the next one. */
  tradingDayOf(ms: number): string {
    const today = shanghaiDate(ms);
    const beforeCutoff = ms < startOfShanghaiDay(today) + CUTOFF_HOUR * 3600 * 1000;
    return this.isTradingDay(today) && beforeCutoff ? today : this.nextTradingDay(today);
  }

  /** T+1: the trading day after the order's trading day; confirmed shares earn from this date. */
  confirmDateOf(ms: number): string {
    return this.nextTradingDay(this.tradingDayOf(ms));
  }
}
