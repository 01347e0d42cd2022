// Shows an API error as the server said it: its message and its code.
import type { ApiError } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function ErrorMessage({ error }: { error: ApiError | undefined }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = error.code === 'network_error' ? `${t('common.network')}: ${error.message}` : error.message;
  return (
    <p className="error" role="alert">
      <strong>{t('common.error')}:</strong> {message} <code>{error.code}</code>
    </p>
  );
}
