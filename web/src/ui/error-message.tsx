// Shows an API error as the server said it: its message and its code. With `codes`, a page's own
// wording for the codes it knows (the dictionary's `<codes>.<code>`) takes the message's place.
import type { ApiError } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';

export function ErrorMessage({ error, codes }: { error: ApiError | undefined; codes?: string }) {
  const { t, tOr } = useI18n();
  if (!error) return null;
  const explained = codes ? tOr(`${codes}.${error.code}`, error.message) : error.message;
  const message = error.code === 'network_error' ? `${t('common.network')}: ${error.message}` : explained;
  return (
    <p className="error" role="alert">
      <strong>{t('common.error')}:</strong> {message} <code>{error.code}</code>
    </p>
  );
}
