// Dates, months, percentages and counts in the reader's language through Intl. Dates arrive as
// 'YYYY-MM-DD' days in Asia/Shanghai, so they are shown in that zone, never shifted by the browser's.
import type { Lang } from '../i18n/i18n.tsx';

const ZONE = 'Asia/Shanghai';

export function localeOf(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en-GB';
}

/** '2026-04-10' -> '10 Apr 2026' / '2026年4月10日'. */
export function formatDay(day: string, lang: Lang): string {
  return new Intl.DateTimeFormat(localeOf(lang), { year: 'numeric', month: 'short', day: 'numeric', timeZone: ZONE }).format(new Date(`${day}T12:00:00+08:00`));
}

/** '2026-04-10' -> '10 Apr' / '4月10日': a day on a chart's axis. */
export function shortDay(day: string, lang: Lang): string {
  return new Intl.DateTimeFormat(localeOf(lang), { month: 'short', day: 'numeric', timeZone: ZONE }).format(new Date(`${day}T12:00:00+08:00`));
}

/** '2026-04' -> 'April 2026' / '2026年4月'. */
export function formatMonth(month: string, lang: Lang): string {
  return new Intl.DateTimeFormat(localeOf(lang), { year: 'numeric', month: 'long', timeZone: ZONE }).format(new Date(`${month}-15T12:00:00+08:00`));
}

/** A ratio as a percentage: '0.0174' -> '1.74%'; `digits` fraction digits at most. */
export function formatPercent(ratio: string | number, lang: Lang, digits = 2): string {
  return new Intl.NumberFormat(localeOf(lang), { style: 'percent', maximumFractionDigits: digits }).format(Number(ratio));
}

export function formatCount(n: number, lang: Lang): string {
  return new Intl.NumberFormat(localeOf(lang)).format(n);
}
