// The suitability questionnaire, asked before the first fund purchase or before the sweep is first
// switched on (fund-trade.tsx, fund-sweep.tsx). The questions come from the server (options from the
// most cautious to the most tolerant); their wording is translated here by question id and option
// index, falling back to the server's text for a question added later.
import { type FormEvent, useCallback, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

interface Question {
  id: string;
  text: string;
  options: { text: string }[];
}

export function RiskQuestionnaire({ onAnswered }: { onAnswered: () => void }) {
  const { t, tOr } = useI18n();
  const { token } = useSession();
  const questions = useLoad('risk-questionnaire', () => api<{ questions: Question[] }>('/v1/risk-questionnaire', { token }));
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const list = questions.data?.questions ?? [];
  const send = useCallback(async () => {
    await api('/v1/me/risk-profile', { method: 'PUT', token, body: { answers: list.map((q) => answers[q.id]) } });
    onAnswered();
  }, [list, answers, token, onAnswered]);
  const action = useAction(send);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} id="risk-questionnaire" aria-labelledby="risk-title">
      <h3 id="risk-title">{t('fund.questionnaire')}</h3>
      <p className="muted">{t('fund.questionnaire.why')}</p>
      {list.map((q) => (
        <fieldset key={q.id} className="choices">
          <legend>{tOr(`fund.q.${q.id}`, q.text)}</legend>
          {q.options.map((o, index) => (
            <label key={o.text}>
              <input
                type="radio"
                name={`q-${q.id}`}
                value={index}
                checked={answers[q.id] === index}
                onChange={() => setAnswers((a) => ({ ...a, [q.id]: index }))}
                required
              />
              <span>{tOr(`fund.q.${q.id}.${index}`, o.text)}</span>
            </label>
          ))}
        </fieldset>
      ))}
      <button type="submit" className="primary" disabled={action.running || list.length === 0}>
        {t('fund.questionnaire.submit')}
      </button>
      <ErrorMessage error={action.error ?? questions.error} />
    </form>
  );
}
