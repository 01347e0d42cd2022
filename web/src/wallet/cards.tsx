// Bound bank cards (GET /v1/cards), each with a top-up and a withdrawal
// (POST /v1/wallet/topups | /v1/wallet/withdrawals, one request_id per operation).
import { type FormEvent, useCallback, useState } from 'react';
import { api, newRequestId } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Card, CardOperation } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';

export function Cards({ token, version, onMoved }: { token: string; version: number; onMoved: () => void }) {
  const { t } = useI18n();
  const cards = useLoad(`cards#${version}`, () => api<{ cards: Card[] }>('/v1/cards', { token }));
  const list = cards.data?.cards ?? [];
  return (
    <Panel title={t('cards.title')} id="cards">
      <ErrorMessage error={cards.error} />
      {list.length === 0 && !cards.loading && <p className="muted">{t('cards.none')}</p>}
      <ul className="cards">
        {list.map((card) => (
          <CardRow key={card.card_id} card={card} token={token} onMoved={onMoved} />
        ))}
      </ul>
    </Panel>
  );
}

type Direction = 'topups' | 'withdrawals';

function CardRow({ card, token, onMoved }: { card: Card; token: string; onMoved: () => void }) {
  const { t, tOr } = useI18n();
  const [amount, setAmount] = useState('');
  const [result, setResult] = useState<string>();
  const move = useCallback(
    async (direction: Direction) => {
      const body = { card_id: card.card_id, amount: amount.trim(), currency: 'CNY', request_id: newRequestId(`web-${direction}`) };
      const op = await api<CardOperation>(`/v1/wallet/${direction}`, { method: 'POST', token, body });
      setResult(describe(op, t));
      if (op.status === 'succeeded') setAmount('');
      onMoved();
    },
    [amount, card.card_id, token, onMoved, t],
  );
  const action = useAction(move);
  const bound = card.status === 'bound';
  const submit = (direction: Direction) => (event?: FormEvent) => {
    event?.preventDefault();
    setResult(undefined);
    void action.run(direction);
  };
  return (
    <li className="card">
      <div className="card-face">
        <strong>{card.bank.toUpperCase()}</strong> <span>•••• {card.last4 ?? '----'}</span> <span className="tag">{tOr(`cardStatus.${card.status}`, card.status)}</span>
      </div>
      {bound && (
        <form className="form inline" onSubmit={submit('topups')}>
          <Field label={t('cards.amount')} name="card_amount" inputMode="decimal" placeholder="0.00" value={amount} onChange={(e) => setAmount(e.target.value)} required />
          <button type="submit" disabled={action.running}>
            {t('cards.topup')}
          </button>
          <button type="button" className="secondary" disabled={action.running || !amount} onClick={() => submit('withdrawals')()}>
            {t('cards.withdraw')}
          </button>
        </form>
      )}
      {result && <p className="success">{result}</p>}
      <ErrorMessage error={action.error} />
    </li>
  );
}

function describe(op: CardOperation, t: ReturnType<typeof useI18n>['t']): string {
  if (op.status === 'succeeded') return t('cards.result.succeeded', { balance: op.balance ? formatMoney(op.balance, 'CNY') : '' });
  if (op.status === 'failed') return t('cards.result.failed', { reason: op.reason ?? op.status });
  return t('cards.result.pending');
}
