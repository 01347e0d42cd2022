// When an automatic payment runs: on its day of the month at 10:00 in Shanghai (UTC+8 all year),
// so a bill is paid in the morning of the day the user chose. Pure, for the job and its tests.
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const RUN_HOUR_UTC = 2;

/** The first run instant strictly after `afterMs` on `day` (1 to 28, which every month has). */
export function nextRunAt(afterMs: number, day: number): number {
  const local = new Date(afterMs + SHANGHAI_OFFSET_MS);
  const thisMonth = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), day, RUN_HOUR_UTC);
  return thisMonth > afterMs ? thisMonth : Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, day, RUN_HOUR_UTC);
}

/** The month (YYYY-MM, Shanghai) a run instant pays for. */
export function monthOf(runMs: number): string {
  return new Date(runMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 7);
}
