// Registers a merchant app and shows what its developer configures the SDK with.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { RegisteredMerchant } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';

const EMPTY = { name: '', fee: '60', notify: '', key: '' };

export function RegisterMerchant({ token, onRegistered }: { token: string; onRegistered: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState(EMPTY);
  const [registered, setRegistered] = useState<RegisteredMerchant>();
  const register = useCallback(async () => {
    // fee_bps is a count of basis points, not money: a whole number the server checks.
    const body = {
      name: form.name.trim(),
      fee_bps: Number(form.fee),
      public_key: form.key.trim(),
      ...(form.notify.trim() ? { notify_url: form.notify.trim() } : {}),
    };
    setRegistered(await api<RegisteredMerchant>('/v1/admin/merchants', { method: 'POST', token, body }));
    setForm(EMPTY);
    onRegistered();
  }, [form, token, onRegistered]);
  const action = useAction(register);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRegistered(undefined);
    void action.run();
  };
  return (
    <Panel title={t('merchants.register')} id="register-merchant">
      <form className="form" onSubmit={submit}>
        <Field label={t('merchants.name')} name="merchant_name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />
        <Field
          label={t('merchants.fee')}
          name="fee_bps"
          inputMode="numeric"
          value={form.fee}
          onChange={(e) => setForm({ ...form, fee: e.target.value })}
          required
        />
        <Field label={t('merchants.notify')} name="notify_url" type="url" value={form.notify} onChange={(e) => setForm({ ...form, notify: e.target.value })} />
        <label className="field wide">
          <span>{t('merchants.publicKey')}</span>
          <textarea name="public_key" rows={5} value={form.key} onChange={(e) => setForm({ ...form, key: e.target.value })} required />
        </label>
        <button type="submit" disabled={action.running}>
          {t('merchants.submit')}
        </button>
      </form>
      <ErrorMessage error={action.error} />
      {registered && (
        <div className="success-box" id="registered">
          <p>{t('merchants.registered', { name: registered.name })}</p>
          <dl className="figures">
            <div>
              <dt>{t('merchants.appId')}</dt>
              <dd>
                <code>{registered.app_id}</code>
              </dd>
            </div>
            <div>
              <dt>{t('merchants.merchantId')}</dt>
              <dd>
                <code>{registered.merchant_id}</code>
              </dd>
            </div>
          </dl>
          <p>{t('merchants.platformKey')}</p>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the key scrolls sideways, so the keyboard must reach it */}
          <pre className="key" tabIndex={0}>
            {registered.platform_public_key}
          </pre>
        </div>
      )}
    </Panel>
  );
}
