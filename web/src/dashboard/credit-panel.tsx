// The credit book on the dashboard: headline figures (the pay-later book too), the NPL ratio against
// the banks' average and day by day, and principal outstanding and provisions by days-past-due bucket
// as charts, with a table of the same figures for readers who cannot see the charts. Reloaded
// whenever the dashboard refreshes.
import { useMemo } from 'react';
import type uPlot from 'uplot';
import { api } from '../api.ts';
import type { Operator } from '../console/operator-gate.tsx';
import { useOperatorLoad } from '../console/use-operator-load.ts';
import { type Bucket, BUCKETS, type Portfolio } from '../credit/credit-types.ts';
import '../credit/credit.css';
import { formatPercent, shortDay } from '../credit/intl.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Panel } from '../ui/panel.tsx';
import { Chart } from './chart.tsx';
import { COLORS, categoryBars, dayLine } from './chart-options.ts';

/** The commercial banks' average NPL ratio the spec compares the book with. */
const BANK_AVERAGE_NPL = 0.0174;

const bucketKey = (bucket: Bucket) => `dash.credit.bucket.${bucket}` as MessageKey;

export function CreditPanel({ operator, refreshKey }: { operator: Operator; refreshKey: number }) {
  const { t } = useI18n();
  const portfolio = useOperatorLoad(operator, `credit-portfolio#${refreshKey}`, () => api<Portfolio>('/v1/admin/credit/portfolio', { token: operator.token }));
  const p = portfolio.data;
  return (
    <Panel title={t('dash.credit')} id="credit-panel">
      <ErrorMessage error={portfolio.error} />
      {p && (
        <>
          <CreditTiles portfolio={p} />
          <div className="grid two">
            <NplChart ratio={p.npl_ratio} />
            <NplHistoryChart history={p.history} />
            <BucketChart title={t('dash.credit.outstandingByBucket')} amounts={p.buckets} color={COLORS.blue} />
            <BucketChart title={t('dash.credit.provisionsByBucket')} amounts={p.provisions_by_bucket} color={COLORS.amber} />
          </div>
          <BucketTable portfolio={p} />
        </>
      )}
    </Panel>
  );
}

function CreditTiles({ portfolio: p }: { portfolio: Portfolio }) {
  const { t, lang } = useI18n();
  const tiles: [MessageKey, string][] = [
    ['dash.credit.outstanding', formatMoney(p.outstanding, 'CNY')],
    ['dash.credit.disbursed', formatMoney(p.disbursed, 'CNY')],
    ['dash.credit.repaid', formatMoney(p.repaid, 'CNY')],
    ['dash.credit.npl', formatPercent(p.npl_ratio, lang)],
    ['dash.credit.provisions', formatMoney(p.provisions, 'CNY')],
    ['dash.credit.writtenOff', formatMoney(p.written_off, 'CNY')],
    ['dash.credit.paylater', formatMoney(p.paylater.outstanding, 'CNY')],
    ['dash.credit.paylaterOverdue', formatMoney(p.paylater.overdue, 'CNY')],
  ];
  return (
    <div className="tiles" data-testid="credit-tiles">
      {tiles.map(([key, value]) => (
        <div className="tile" key={key}>
          <span>{t(key)}</span>
          <strong>{value}</strong>
        </div>
      ))}
    </div>
  );
}

function NplChart({ ratio }: { ratio: string }) {
  const { t, lang } = useI18n();
  const title = t('dash.credit.nplChart');
  const labels = useMemo(() => [t('dash.credit.book'), t('dash.credit.banks')], [t]);
  const options = useMemo(() => categoryBars(labels, { label: t('dash.credit.nplPercent'), color: COLORS.violet }), [labels, t]);
  const data = useMemo<uPlot.AlignedData>(
    () => [
      [0, 1],
      [Number(ratio) * 100, BANK_AVERAGE_NPL * 100],
    ],
    [ratio],
  );
  const summary = t('dash.credit.nplSummary', { book: formatPercent(ratio, lang), banks: formatPercent(BANK_AVERAGE_NPL, lang) });
  return (
    <section aria-label={title}>
      <h3 className="subhead">{title}</h3>
      <Chart title={`${title}: ${summary}`} options={options} data={data} />
      <p className="muted small">{summary}</p>
    </section>
  );
}

/** The NPL ratio by day, as far back as the servicing has recorded it. */
function NplHistoryChart({ history }: { history: Portfolio['history'] }) {
  const { t, lang } = useI18n();
  const title = t('dash.credit.nplHistory');
  const labels = useMemo(() => history.map((d) => shortDay(d.date, lang)), [history, lang]);
  const options = useMemo(() => dayLine(labels, { label: t('dash.credit.nplPercent'), color: COLORS.violet }), [labels, t]);
  const data = useMemo<uPlot.AlignedData>(() => [history.map((_, i) => i), history.map((d) => Number(d.npl_ratio) * 100)], [history]);
  return (
    <section aria-label={title}>
      <h3 className="subhead">{title}</h3>
      {history.length === 0 ? <p className="muted">{t('dash.credit.noHistory')}</p> : <Chart title={title} options={options} data={data} />}
    </section>
  );
}

function BucketChart({ title, amounts, color }: { title: string; amounts: Record<Bucket, string>; color: string }) {
  const { t } = useI18n();
  const labels = useMemo(() => BUCKETS.map((b) => t(bucketKey(b))), [t]);
  const options = useMemo(() => categoryBars(labels, { label: t('dash.credit.cny'), color }), [labels, color, t]);
  const data = useMemo<uPlot.AlignedData>(() => [BUCKETS.map((_, i) => i), BUCKETS.map((b) => Number(amounts[b]))], [amounts]);
  return (
    <section aria-label={title}>
      <h3 className="subhead">{title}</h3>
      <Chart title={title} options={options} data={data} />
    </section>
  );
}

function BucketTable({ portfolio: p }: { portfolio: Portfolio }) {
  const { t } = useI18n();
  return (
    <div className="table-scroll">
      <table className="table" id="credit-buckets">
        <caption className="subhead">{t('dash.credit.table')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dash.credit.bucket')}</th>
            <th scope="col" className="num">
              {t('dash.credit.outstanding')}
            </th>
            <th scope="col" className="num">
              {t('dash.credit.provisions')}
            </th>
          </tr>
        </thead>
        <tbody>
          {BUCKETS.map((b) => (
            <tr key={b}>
              <th scope="row">{t(bucketKey(b))}</th>
              <td className="num">{formatMoney(p.buckets[b], 'CNY')}</td>
              <td className="num">{formatMoney(p.provisions_by_bucket[b], 'CNY')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
