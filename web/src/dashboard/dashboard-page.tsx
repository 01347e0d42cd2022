// The operations dashboard (operator token): GET /v1/admin/dashboard every 10 seconds, drawn as
// headline figures and five uPlot charts.
import { useEffect, useMemo } from 'react';
import type uPlot from 'uplot';
import { api } from '../api.ts';
import type { Operator } from '../console/operator-gate.tsx';
import { useOperatorLoad } from '../console/use-operator-load.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { clockTime } from '../money.ts';
import type { Dashboard, Histogram } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Panel } from '../ui/panel.tsx';
import { Chart } from './chart.tsx';
import { COLORS, categoryBars, timeLines } from './chart-options.ts';
import { CreditPanel } from './credit-panel.tsx';
import { FundPanel } from './fund-panel.tsx';
import { LifeServicesPanel } from './life-services.tsx';
import { Totals } from './totals.tsx';

const REFRESH_MS = 10_000;

export function DashboardPage({ operator }: { operator: Operator }) {
  const { t, lang } = useI18n();
  const dash = useOperatorLoad(operator, 'dashboard', () => api<Dashboard>('/v1/admin/dashboard', { token: operator.token }));
  const { reload } = dash;
  useEffect(() => {
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const d = dash.data;
  return (
    <div className="page" id="dashboard">
      <ErrorMessage error={dash.error} />
      {d && (
        <>
          <p className="muted">{t('dash.updated', { time: clockTime(d.generated_at, lang) })}</p>
          <Totals totals={d.totals} />
          <LifeServicesPanel bills={d.bills} insurance={d.insurance} />
          <FundPanel funds={d.funds} />
          <CreditPanel operator={operator} refreshKey={d.generated_at} />
          <div className="grid two">
            <ActivityChart activity={d.activity} />
            <RedPacketChart activity={d.activity} />
            <ChannelChart channels={d.channels} />
            <HistogramChart title={t('dash.batches')} histogram={d.ledger.batch_events} color={COLORS.amber} scale={1} unit="" />
            <HistogramChart title={t('dash.commit')} histogram={d.ledger.commit_seconds} color={COLORS.violet} scale={1000} unit=" ms" />
          </div>
        </>
      )}
    </div>
  );
}

function ActivityChart({ activity }: { activity: Dashboard['activity'] }) {
  const { t, lang } = useI18n();
  const options = useMemo(
    () =>
      timeLines(t('statement.time'), [
        { label: t('dash.payments'), color: COLORS.blue },
        { label: t('dash.transfers'), color: COLORS.green },
      ]),
    [t],
  );
  const data = useMemo<uPlot.AlignedData>(() => [activity.minute_starts.map((ms) => ms / 1000), activity.payments, activity.transfers], [activity]);
  return (
    <Panel title={t('dash.activity')} id="chart-activity">
      <Chart title={t('dash.activity')} options={options} data={data} />
      <p className="muted small">{t('dash.activity.since', { time: clockTime(activity.counting_since, lang) })}</p>
    </Panel>
  );
}

/** Red packets sent, shares opened and packets refunded per minute, on the same minutes as the activity chart. */
function RedPacketChart({ activity }: { activity: Dashboard['activity'] }) {
  const { t, lang } = useI18n();
  const options = useMemo(
    () =>
      timeLines(t('statement.time'), [
        { label: t('dash.packets.sent'), color: COLORS.red },
        { label: t('dash.packets.opened'), color: COLORS.amber },
        { label: t('dash.packets.refunded'), color: COLORS.violet },
      ]),
    [t],
  );
  const data = useMemo<uPlot.AlignedData>(
    () => [activity.minute_starts.map((ms) => ms / 1000), activity.packets_sent, activity.packets_opened, activity.packets_refunded],
    [activity],
  );
  const total = (series: number[]) => series.reduce((a, b) => a + b, 0);
  return (
    <Panel title={t('dash.packets')} id="chart-red-packets">
      <Chart title={t('dash.packets')} options={options} data={data} />
      <p className="muted small" id="red-packet-totals">
        {t('dash.packets.hour', { sent: total(activity.packets_sent), opened: total(activity.packets_opened), refunded: total(activity.packets_refunded) })}
      </p>
      <p className="muted small">{t('dash.activity.since', { time: clockTime(activity.counting_since, lang) })}</p>
    </Panel>
  );
}

function ChannelChart({ channels }: { channels: Dashboard['channels'] }) {
  const { t } = useI18n();
  const labels = useMemo(() => channels.map((c) => `${c.bank.toUpperCase()} (${c.samples})`), [channels]);
  const options = useMemo(() => categoryBars(labels, { label: t('dash.successRate'), color: COLORS.green }, 100), [labels, t]);
  const data = useMemo<uPlot.AlignedData>(() => [channels.map((_, i) => i), channels.map((c) => Math.round(c.success_rate * 1000) / 10)], [channels]);
  return (
    <Panel title={t('dash.channels')} id="chart-channels">
      {channels.length === 0 ? <p className="muted">{t('dash.channels.none')}</p> : <Chart title={t('dash.channels')} options={options} data={data} />}
    </Panel>
  );
}

function bucketLabels(le: readonly string[], scale: number): string[] {
  return le.map((bound) => (bound === '+Inf' ? '+∞' : `≤${Number((Number(bound) * scale).toPrecision(6))}`));
}

function summary(t: Translate, h: Histogram, scale: number, unit: string): string {
  const avg = h.count === 0 ? 0 : (h.sum / h.count) * scale;
  return t('dash.summary', { count: h.count, avg: `${Number(avg.toPrecision(3))}${unit}` });
}

function HistogramChart({ title, histogram, color, scale, unit }: { title: string; histogram: Histogram; color: string; scale: number; unit: string }) {
  const { t } = useI18n();
  const labels = useMemo(() => bucketLabels(histogram.le, scale), [histogram, scale]);
  const options = useMemo(() => categoryBars(labels, { label: t('dash.batchesCount'), color }), [labels, color, t]);
  const data = useMemo<uPlot.AlignedData>(() => [histogram.counts.map((_, i) => i), histogram.counts], [histogram]);
  return (
    <Panel title={title}>
      <Chart title={title} options={options} data={data} />
      <p className="muted small">{summary(t, histogram, scale, unit)}</p>
    </Panel>
  );
}
