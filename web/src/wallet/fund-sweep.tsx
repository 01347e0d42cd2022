// The automatic sweep (GET/PUT /v1/me/fund-sweep): whether it is on, its floor and its fund, and a
// form to change them. The floor goes to the API as typed, a decimal string in yuan that the server
// turns into fen exactly, as every money input of the app does. The PUT replaces the whole setting,
// so sending it again sets the same state: unlike an order it needs no request_id to be safe to retry.
// Turning the sweep on is a standing purchase: without a risk profile the server answers
// risk_profile_required, and the form asks the suitability questionnaire, as a first purchase does,
// then sends the same setting again.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { FundSummary } from './fund.tsx';
import { RiskQuestionnaire } from './risk-questionnaire.tsx';
import { useSession } from './session-context.ts';

interface SweepSetting {
  fund_id: string | null;
  floor: string | null;
  enabled: boolean;
  last_swept_date: string | null;
}

export function SweepPanel({ funds }: { funds: readonly FundSummary[] }) {
  const { t } = useI18n();
  const { token, version } = useSession();
  const setting = useLoad(`fund-sweep#${version}`, () => api<SweepSetting>('/v1/me/fund-sweep', { token }));
  const current = setting.data;
  const fund = funds.find((f) => f.fund_id === current?.fund_id);
  return (
    <section className="card-box form-stack" aria-labelledby="sweep-title" id="fund-sweep">
      <h2 id="sweep-title">{t('fund.sweep')}</h2>
      <p className="muted">{t('fund.sweep.why')}</p>
      {current && (
        <div id="sweep-state" aria-live="polite">
          <p className={current.enabled ? 'success' : 'muted'}>
            {current.enabled && current.floor !== null
              ? t('fund.sweep.on', { floor: formatMoney(current.floor, 'CNY'), name: fund?.name ?? current.fund_id ?? '' })
              : t('fund.sweep.off')}
          </p>
          {current.last_swept_date && <p className="small muted">{t('fund.sweep.last', { date: current.last_swept_date })}</p>}
        </div>
      )}
      {current && funds.length > 0 && <SweepForm setting={current} funds={funds} />}
      <ErrorMessage error={setting.error} />
    </section>
  );
}

function SweepForm({ setting, funds }: { setting: SweepSetting; funds: readonly FundSummary[] }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [fundId, setFundId] = useState(setting.fund_id ?? funds[0].fund_id);
  const [floor, setFloor] = useState(setting.floor ?? '');
  const [enabled, setEnabled] = useState(setting.enabled);
  const [saved, setSaved] = useState<string>();
  const [asking, setAsking] = useState(false);
  const save = useCallback(async () => {
    setSaved(undefined);
    const body = { fund_id: fundId, floor: floor.trim(), enabled };
    try {
      const answer = await api<SweepSetting>('/v1/me/fund-sweep', { method: 'PUT', token, body });
      setSaved(t(answer.enabled ? 'fund.sweep.saved.on' : 'fund.sweep.saved.off'));
      refresh();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'risk_profile_required') setAsking(true);
      else throw error;
    }
  }, [fundId, floor, enabled, token, refresh, t]);
  const action = useAction(save);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  const answered = () => {
    setAsking(false);
    void action.run();
  };
  return (
    <>
      <form className="form-stack" onSubmit={submit} aria-labelledby="sweep-title">
        <label className="field">
          <span>{t('fund.sweep.fund')}</span>
          <select name="sweep_fund" value={fundId} onChange={(e) => setFundId(e.target.value)}>
            {funds.map((f) => (
              <option key={f.fund_id} value={f.fund_id}>
                {f.name}
              </option>
            ))}
          </select>
        </label>
        <Field
          label={t('fund.sweep.floor')}
          hint={t('fund.sweep.floorHint')}
          name="floor"
          inputMode="decimal"
          placeholder="0.00"
          className="amount-input"
          value={floor}
          onChange={(e) => setFloor(e.target.value)}
          required
        />
        <div className="choices">
          <label>
            <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
            <span>{t('fund.sweep.enabled')}</span>
          </label>
        </div>
        <button type="submit" className="primary" disabled={action.running || asking}>
          {t('fund.sweep.submit')}
        </button>
        {saved && (
          <p className="success-box" role="status" id="sweep-saved">
            {saved}
          </p>
        )}
        <ErrorMessage error={action.error} codes="fund.error" />
      </form>
      {asking && <RiskQuestionnaire onAnswered={answered} />}
    </>
  );
}
