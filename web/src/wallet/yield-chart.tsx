// The fund's 7-day yield over the last 30 days as a small line. The geometry uses numbers, but every
// figure the user reads (latest, low, high) is the API's own string. Drawn in SVG: the wallet does
// not download the dashboard's chart library for one line.
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

interface DailyYield {
  date: string;
  seven_day_yield: string | null;
}

const WIDTH = 300;
const HEIGHT = 90;
const PAD = 6;

/** The days that have a yield, with the lowest and highest (by value, kept as strings). */
function published(days: readonly DailyYield[]) {
  const points = days.filter((d): d is DailyYield & { seven_day_yield: string } => d.seven_day_yield !== null);
  const byValue = [...points].sort((a, b) => Number(a.seven_day_yield) - Number(b.seven_day_yield));
  return { points, low: byValue[0], high: byValue[byValue.length - 1] };
}

export function YieldChart({ fundId }: { fundId: string }) {
  const { t } = useI18n();
  const { token } = useSession();
  const yields = useLoad(`yields#${fundId}`, () => api<{ yields: DailyYield[] }>(`/v1/funds/${encodeURIComponent(fundId)}/yields?days=30`, { token }));
  const { points, low, high } = published(yields.data?.yields ?? []);
  if (yields.error) return <ErrorMessage error={yields.error} />;
  if (points.length < 2) return <p className="muted">{t('fund.chart.none')}</p>;
  const min = Number(low.seven_day_yield);
  const span = Number(high.seven_day_yield) - min || 1;
  const x = (i: number) => PAD + (i * (WIDTH - 2 * PAD)) / (points.length - 1);
  const y = (value: string) => HEIGHT - PAD - ((Number(value) - min) * (HEIGHT - 2 * PAD)) / span;
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.seven_day_yield).toFixed(1)}`).join(' ');
  const latest = points[points.length - 1];
  const summary = t('fund.chart.summary', {
    from: points[0].date,
    to: latest.date,
    latest: latest.seven_day_yield,
    low: low.seven_day_yield,
    high: high.seven_day_yield,
  });
  return (
    <figure className="yield-chart" id="yield-chart">
      <figcaption>{t('fund.chart')}</figcaption>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <polyline points={line} fill="none" stroke="currentColor" strokeWidth="2" vectorEffect="non-scaling-stroke" />
      </svg>
      <p className="muted">{summary}</p>
    </figure>
  );
}
