// Real-name verification: the user shows each external source its evidence (POST
// /v1/me/verifications): the SMS code sent to the phone, the id number to the public-security
// register, the document's validity date, a photo for the face check. The source answers with a
// verdict; a refusal says why. A bank card bound in the user's name (the next step) is checked by
// its bank. The level follows from the accepted checks (one: I, three: II, five: III).
import { type ChangeEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Profile } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';
import { Step } from './step.tsx';

const SHOWN = ['carrier', 'public_security', 'id_document', 'face'] as const;
type Shown = (typeof SHOWN)[number];

interface Evidence {
  smsCode: string;
  idNo: string;
  validUntil: string;
  photo: string;
}

function bodyFor(source: Shown, e: Evidence) {
  const idNo = e.idNo.trim();
  switch (source) {
    case 'carrier':
      return { source, sms_code: e.smsCode.trim() };
    case 'public_security':
      return { source, id_no: idNo };
    case 'id_document':
      return { source, id_no: idNo, valid_until: e.validUntil };
    case 'face':
      return { source, id_no: idNo, photo: e.photo };
  }
}

/** The photo as base64, without the data URL's prefix. */
function readPhoto(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function VerifyStep({ profile, step }: { profile: Profile; step: number }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const checked = new Set(profile.verifications.map((v) => v.source));
  const [evidence, setEvidence] = useState<Evidence>({ smsCode: '', idNo: '', validUntil: '', photo: '' });
  const [refusal, setRefusal] = useState<{ source: string; reason: string } | null>(null);
  const set = (name: keyof Evidence) => (e: { target: { value: string } }) => setEvidence((v) => ({ ...v, [name]: e.target.value }));
  const verify = useCallback(
    async (source: Shown) => {
      const answer = await api<{ verdict: { result: string; reason?: string } }>('/v1/me/verifications', {
        method: 'POST',
        token,
        body: bodyFor(source, evidence),
      });
      setRefusal(answer.verdict.result === 'refused' ? { source, reason: answer.verdict.reason ?? '' } : null);
      refresh();
    },
    [token, refresh, evidence],
  );
  const action = useAction(verify);
  const sendCode = useAction(useCallback(() => api<void>('/v1/me/phone/code', { method: 'POST', token }), [token]));
  const photo = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    if (!file) return;
    const data = await readPhoto(file);
    setEvidence((v) => ({ ...v, photo: data }));
  };
  const sourceName = (source: string) => t(`source.${source}` as MessageKey);
  return (
    <Step id="verify" step={step} title={t('verify.title')} done={profile.level !== 'none'}>
      <p className="muted">{t('verify.body')}</p>
      <p>
        <strong id="verify-level">{t('verify.level', { level: profile.level === 'none' ? '—' : profile.level })}</strong>
      </p>
      <div className="form-stack">
        <Field
          label={t('verify.smsCode')}
          name="verify_sms_code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={6}
          value={evidence.smsCode}
          onChange={set('smsCode')}
        />
        <button type="button" className="secondary small-button" id="verify-send-code" disabled={sendCode.running} onClick={() => void sendCode.run()}>
          {t('verify.sendCode')}
        </button>
        <Field label={t('verify.idNo')} name="verify_id_no" autoComplete="off" maxLength={32} value={evidence.idNo} onChange={set('idNo')} />
        <Field label={t('verify.validUntil')} name="valid_until" type="date" value={evidence.validUntil} onChange={set('validUntil')} />
        <Field label={t('verify.photo')} name="photo" type="file" accept="image/*" capture="user" onChange={(e) => void photo(e)} />
      </div>
      <ul className="checks">
        {SHOWN.map((source) => (
          <li key={source}>
            <span>{sourceName(source)}</span>
            {checked.has(source) ? (
              <span className="tag ok">✓ {t('verify.checked')}</span>
            ) : (
              <button
                type="button"
                className="secondary small-button"
                data-source={source}
                aria-label={`${t('verify.run')}: ${sourceName(source)}`}
                disabled={action.running}
                onClick={() => void action.run(source)}
              >
                {t('verify.run')}
              </button>
            )}
          </li>
        ))}
        <li>
          <span>{sourceName('bank_card')}</span>
          {checked.has('bank_card') ? <span className="tag ok">✓ {t('verify.checked')}</span> : <span className="muted">{t('verify.cardHint')}</span>}
        </li>
      </ul>
      {refusal && (
        <p role="alert" className="error" id="verify-refused">
          {t('verify.refused', { source: sourceName(refusal.source), reason: refusal.reason })}
        </p>
      )}
      <ErrorMessage error={action.error ?? sendCode.error} />
    </Step>
  );
}
