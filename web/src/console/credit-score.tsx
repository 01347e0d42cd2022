// A merchant's credit score (350-950) with its band and the factors that moved it most, told in the
// reader's language as the server explained them; and its credit line with the daily rate.
import { useI18n } from '../i18n/i18n.tsx';
import type { Line, Score } from '../credit/credit-types.ts';
import { Figures } from '../credit/figures.tsx';
import { formatCount, formatPercent, localeOf } from '../credit/intl.ts';
import { formatMoney } from '../money.ts';
import { Panel } from '../ui/panel.tsx';

export function ScorePanel({ score }: { score: Score }) {
  const { t, lang } = useI18n();
  const points = new Intl.NumberFormat(localeOf(lang), { signDisplay: 'exceptZero' });
  return (
    <Panel title={t('credit.score')}>
      <p className="score-line">
        <strong className="score" data-testid="credit-score">
          {formatCount(score.score, lang)}
        </strong>
        <span className={`tag band-${score.band}`}>{t(`credit.band.${score.band}`)}</span>
      </p>
      <p className="muted small">{t('credit.scoreRange')}</p>
      <h3 className="subhead">{t('credit.factors')}</h3>
      <ul className="items compact" data-testid="credit-factors">
        {score.factors.map((f) => (
          <li key={f.name} className="item">
            <span className={`effect ${f.effect >= 0 ? 'up' : 'down'}`}>
              <span aria-hidden="true">{f.effect >= 0 ? '▲' : '▼'}</span> {t('credit.points', { points: points.format(f.effect) })}
            </span>
            <span className="item-main">{lang === 'zh' ? f.explanation_zh : f.explanation}</span>
          </li>
        ))}
      </ul>
      <p className="muted small">{t('credit.model', { version: score.model_version })}</p>
    </Panel>
  );
}

export function LinePanel({ line }: { line: Line }) {
  const { t, lang } = useI18n();
  const figures = [
    ['credit.limit', formatMoney(line.limit, 'CNY')],
    ['credit.used', formatMoney(line.used, 'CNY')],
    ['credit.available', formatMoney(line.available, 'CNY')],
    ['credit.dailyRate', formatPercent(line.daily_rate, lang, 3)],
  ] as const;
  return (
    <Panel title={t('credit.line')}>
      <Figures figures={figures} testId="credit-line" />
    </Panel>
  );
}
