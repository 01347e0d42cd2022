// Real-name verification: one button per external check (POST /v1/me/verifications); the level
// follows from how many checks passed (one: I, three: II, five: III).
import { useCallback } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Profile } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';
import { Step } from './step.tsx';

const SOURCES = ['id_document', 'face', 'carrier', 'public_security', 'bank_card'] as const;

export function VerifyStep({ profile, step }: { profile: Profile; step: number }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const checked = new Set(profile.verifications.map((v) => v.source));
  const verify = useCallback(
    async (source: string) => {
      const reference = `web-${source}-${crypto.randomUUID()}`;
      await api('/v1/me/verifications', { method: 'POST', token, body: { source, reference } });
      refresh();
    },
    [token, refresh],
  );
  const action = useAction(verify);
  return (
    <Step id="verify" step={step} title={t('verify.title')} done={profile.level !== 'none'}>
      <p className="muted">{t('verify.body')}</p>
      <p>
        <strong id="verify-level">{t('verify.level', { level: profile.level === 'none' ? '—' : profile.level })}</strong>
      </p>
      <ul className="checks">
        {SOURCES.map((source) => (
          <li key={source}>
            <span>{t(`source.${source}` as MessageKey)}</span>
            {checked.has(source) ? (
              <span className="tag ok">✓ {t('verify.checked')}</span>
            ) : (
              <button
                type="button"
                className="secondary small-button"
                data-source={source}
                aria-label={`${t('verify.run')}: ${t(`source.${source}` as MessageKey)}`}
                disabled={action.running}
                onClick={() => void action.run(source)}
              >
                {t('verify.run')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <ErrorMessage error={action.error} />
    </Step>
  );
}
