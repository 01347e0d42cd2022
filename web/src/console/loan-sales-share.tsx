// The merchant's consent on an existing loan to repay it from a share of each day's settlements:
// what it is now, a new whole percent (0 withdraws it) or a one-press withdrawal, and a confirmation
// that says what will happen before PUT /v1/credit/loans/:loan_id/sales-share is sent.
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import type { LoanSummary } from '../credit/credit-types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';

export function SalesShareControl({ token, loan, onChanged }: { token: string; loan: LoanSummary; onChanged: () => void }) {
  const { t } = useI18n();
  const current = loan.sales_share_percent;
  const [percent, setPercent] = useState('');
  /** The percent waiting for the owner's confirmation. */
  const [asked, setAsked] = useState<number>();
  const [done, setDone] = useState<number>();
  const save = useAction(async (next: number) => {
    await api<LoanSummary>(`/v1/credit/loans/${encodeURIComponent(loan.loan_id)}/sales-share`, { method: 'PUT', token, body: { percent: next } });
    setAsked(undefined);
    setPercent('');
    setDone(next);
    onChanged();
  });
  const ask = (next: number) => {
    setDone(undefined);
    setAsked(next);
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    ask(Number(percent));
  };
  return (
    <div className="sales-share" data-testid="sales-share">
      <p className="muted small" data-testid="sales-share-now">
        {current > 0 ? t('credit.share.now', { percent: current }) : t('credit.share.none')}
      </p>
      <form className="form" onSubmit={submit}>
        <Field
          label={t('credit.share.change')}
          hint={t('credit.share.hint')}
          name="sales_share_percent"
          type="number"
          min={0}
          max={100}
          step={1}
          inputMode="numeric"
          value={percent}
          onChange={(e) => {
            setPercent(e.target.value);
            setAsked(undefined);
          }}
          required
        />
        <button type="submit" className="secondary">
          {t('credit.share.review')}
        </button>
        {current > 0 && (
          <button type="button" className="ghost" onClick={() => ask(0)}>
            {t('credit.share.withdraw')}
          </button>
        )}
      </form>
      {asked !== undefined && (
        <fieldset className="quote" data-testid="sales-share-confirm">
          <legend>{t('credit.share.confirmTitle')}</legend>
          <p>{asked > 0 ? t('credit.share.confirmGive', { percent: asked }) : t('credit.share.confirmWithdraw')}</p>
          <button type="button" disabled={save.running} onClick={() => void save.run(asked)}>
            {t('credit.share.confirm')}
          </button>
          <button type="button" className="ghost" onClick={() => setAsked(undefined)}>
            {t('credit.share.cancel')}
          </button>
        </fieldset>
      )}
      <ErrorMessage error={save.error} />
      {done !== undefined && (
        <p role="status" className="success" data-testid="sales-share-saved">
          {done > 0 ? t('credit.share.saved', { percent: done }) : t('credit.share.withdrawn')}
        </p>
      )}
    </div>
  );
}
