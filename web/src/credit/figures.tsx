// What the credit pages show as labelled figures and the one choice of months they share.
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';

/** Labelled figures side by side: each a message key and its value, already formatted. */
export function Figures({ figures, compact = false, testId }: { figures: readonly (readonly [MessageKey, string])[]; compact?: boolean; testId?: string }) {
  const { t } = useI18n();
  return (
    <dl className={compact ? 'figures compact' : 'figures'} data-testid={testId}>
      {figures.map(([key, value]) => (
        <div key={key}>
          <dt>{t(key)}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Instalments run 3, 6, 9 or 12 months, for a loan and for a pay-later statement alike. */
export const INSTALMENT_MONTHS = [3, 6, 9, 12] as const;

export function MonthsSelect({ label, name, value, onChange }: { label: string; name: string; value: number; onChange: (months: number) => void }) {
  const { t } = useI18n();
  return (
    <label className="field">
      <span>{label}</span>
      <select name={name} value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {INSTALMENT_MONTHS.map((m) => (
          <option key={m} value={m}>
            {t('credit.monthsN', { months: m })}
          </option>
        ))}
      </select>
    </label>
  );
}
