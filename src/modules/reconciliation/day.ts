// Statement days: which instants belong to a date. The definition is the bank simulator's own
// (time zone plus cut-over), so Formica and the banks cut the day at the same instant.
import { statementDay } from '../../../sim/bank/statement.ts';
import { ReconciliationError } from './recon-errors.ts';

export interface DayConfig {
  /** IANA zone the banks' days are counted in; default Asia/Shanghai. */
  readonly timeZone: string;
  /** Local minutes after midnight at which a day turns; default 0 (midnight). */
  readonly cutoverMinutes: number;
}

export const DEFAULT_DAY_CONFIG: DayConfig = { timeZone: 'Asia/Shanghai', cutoverMinutes: 0 };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** A real calendar date as YYYY-MM-DD, or `invalid_date`. */
export function parseDate(text: string): string {
  const match = DATE.exec(text);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new ReconciliationError('invalid_date', `'${text}' is not a date in the form YYYY-MM-DD`);
  }
  return text;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function dayOf(ms: number, config: DayConfig): string {
  return statementDay(ms, config.timeZone, config.cutoverMinutes);
}

/** [fromMs, toMs) of a statement day, found by bisection so any zone and cut-over work. */
export function dayWindow(date: string, config: DayConfig): { fromMs: number; toMs: number } {
  return { fromMs: firstInstantOf(date, config), toMs: firstInstantOf(addDays(date, 1), config) };
}

function firstInstantOf(date: string, config: DayConfig): number {
  const midnightUtc = Date.parse(`${date}T00:00:00Z`);
  // Two days either side covers every zone offset plus a cut-over of up to a day.
  let lo = midnightUtc - 2 * DAY_MS;
  let hi = midnightUtc + 2 * DAY_MS;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayOf(mid, config) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** A day is reconciled only once it is over: its statement is complete by then. */
export function requireClosed(date: string, nowMs: number, config: DayConfig): void {
  if (dayOf(nowMs, config) <= date) {
    throw new ReconciliationError('day_not_closed', `${date} is not over yet (it is ${dayOf(nowMs, config)} now); reconcile it after its cut-over`);
  }
}
