// Asks once for the operator token (kept in this tab's sessionStorage) and hands it to the
// operator views; a 401 from them forgets it and asks again.
import { type FormEvent, type ReactNode, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { OPERATOR_TOKEN, useStoredToken } from '../session.ts';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';

export interface Operator {
  readonly token: string;
  /** Forget the token; `rejected` when the server refused it. */
  readonly forget: (rejected: boolean) => void;
}

export function OperatorGate({ children }: { children: (operator: Operator) => ReactNode }) {
  const { t } = useI18n();
  const [token, setToken] = useStoredToken(OPERATOR_TOKEN);
  const [draft, setDraft] = useState('');
  const [rejected, setRejected] = useState(false);
  if (token) {
    const forget = (wasRejected: boolean) => {
      setRejected(wasRejected);
      setToken(null);
    };
    return (
      <>
        <div className="page-actions">
          <button type="button" className="ghost" onClick={() => forget(false)}>
            {t('operator.forget')}
          </button>
        </div>
        {children({ token, forget })}
      </>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) setToken(draft.trim());
  };
  return (
    <Panel title={t('operator.title')} id="operator">
      <p className="muted">{t('operator.hint')}</p>
      {rejected && (
        <p className="error" role="alert">
          {t('operator.rejected')}
        </p>
      )}
      <form className="form narrow" onSubmit={submit}>
        <Field
          label={t('operator.token')}
          name="operator_token"
          type="password"
          autoComplete="off"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          required
        />
        <button type="submit">{t('operator.submit')}</button>
      </form>
    </Panel>
  );
}
