// Sends a lucky packet (the amount split at random) or an equal one (the amount is each share's) to
// a group. One request_id per packet: a retry after a lost answer cannot send twice.
import { type FormEvent, useCallback, useState } from 'react';
import { ApiError, api, newRequestId } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { useAction } from '../ui/use-action.ts';
import { useSession } from './session-context.ts';

const EMPTY = { amount: '', shares: '', greeting: '' };

export function SendPacket({ groupId, onSent }: { groupId: string; onSent: (packetId: string) => void }) {
  const { t } = useI18n();
  const { token, refresh } = useSession();
  const [kind, setKind] = useState<'lucky' | 'equal'>('lucky');
  const [form, setForm] = useState(EMPTY);
  const [requestId, setRequestId] = useState(() => newRequestId('web-rp'));
  const set = (name: keyof typeof EMPTY) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [name]: e.target.value }));
  const send = useCallback(async () => {
    const body = {
      group_id: groupId,
      kind,
      amount: form.amount.trim(),
      currency: 'CNY',
      shares: Number(form.shares),
      request_id: requestId,
      ...(form.greeting.trim() ? { greeting: form.greeting.trim() } : {}),
    };
    try {
      const sent = await api<{ packet_id: string }>('/v1/red-packets', { method: 'POST', token, body });
      setForm(EMPTY);
      setRequestId(newRequestId('web-rp'));
      refresh();
      onSent(sent.packet_id);
    } catch (error) {
      if (error instanceof ApiError && error.status > 0 && error.status < 500) setRequestId(newRequestId('web-rp'));
      throw error;
    }
  }, [groupId, kind, form, requestId, token, refresh, onSent]);
  const action = useAction(send);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="send-title" id="rp-send">
      <h2 id="send-title">{t('rp.send')}</h2>
      <fieldset className="choices">
        <legend>{t('rp.kind')}</legend>
        <label>
          <input type="radio" name="kind" value="lucky" checked={kind === 'lucky'} onChange={() => setKind('lucky')} />
          <span>{t('rp.kind.lucky')}</span>
        </label>
        <label>
          <input type="radio" name="kind" value="equal" checked={kind === 'equal'} onChange={() => setKind('equal')} />
          <span>{t('rp.kind.equal')}</span>
        </label>
      </fieldset>
      <Field
        label={kind === 'lucky' ? t('rp.total') : t('rp.each')}
        hint={t('rp.limits')}
        name="amount"
        inputMode="decimal"
        placeholder="0.00"
        className="amount-input"
        value={form.amount}
        onChange={set('amount')}
        required
      />
      <Field label={t('rp.shares')} name="shares" type="number" inputMode="numeric" min={1} max={100} value={form.shares} onChange={set('shares')} required />
      <Field label={t('rp.greeting')} name="greeting" maxLength={64} placeholder={t('rp.greeting.default')} value={form.greeting} onChange={set('greeting')} />
      <button type="submit" className="primary" disabled={action.running}>
        {t('rp.send.submit')}
      </button>
      <ErrorMessage error={action.error} />
    </form>
  );
}
