// A shop's trades in its console: newest first, 20 a page (on by the API's `next_cursor`), each with
// its timeline on demand (events, refunds with their reasons, the dispute and the notifications), a
// refund form (amount and reason) on a paid one, and the seller's answer to an open dispute.
import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { clockTime, formatMoney } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { QrCode } from '../ui/qr-code.tsx';
import { Field } from '../ui/field.tsx';
import { Pager } from '../ui/pager.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { Membership } from './shop-page.tsx';

interface ShopTrade {
  trade_no: string;
  out_trade_no: string;
  subject: string;
  total_amount: string;
  refunded_amount: string;
  currency: string;
  trade_status: string;
}

interface Timeline {
  events: { at: number; kind: string; detail: string }[];
  refunds: { out_request_no: string; amount: string; status: string; reason: string }[];
  dispute: { status: string; reason: string; answer: string | null } | null;
  notifications: { notify_id: string; status: string; attempts: number }[];
}

/** Trades a page: the API's default. */
const PAGE_SIZE = 20;
const REFUNDABLE = new Set(['TRADE_SUCCESS', 'WAIT_SELLER_SEND_GOODS', 'WAIT_BUYER_CONFIRM_GOODS']);
const STATUSES = ['WAIT_BUYER_PAY', 'WAIT_SELLER_SEND_GOODS', 'WAIT_BUYER_CONFIRM_GOODS', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'];

export function Trades({ token, shop, version, onRefunded }: { token: string; shop: Membership; version: number; onRefunded: () => void }) {
  const { t, tOr } = useI18n();
  const base = `/v1/merchant-console/merchants/${shop.merchant_id}`;
  const [status, setStatus] = useState('');
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const query = `${base}/trades?limit=${PAGE_SIZE}${status ? `&status=${status}` : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
  const trades = useLoad(`${query}#${version}`, () => api<{ trades: ShopTrade[]; next_cursor: string | null }>(query, { token }));
  const list = trades.data?.trades ?? [];
  return (
    <Panel title={t('shop.trades')} id="shop-trades">
      <label className="field">
        <span>{t('shop.statusFilter')}</span>
        <select
          name="status_filter"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setCursor(undefined);
          }}
        >
          <option value="">{t('shop.allStatuses')}</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {tOr(`status.${s}`, s)}
            </option>
          ))}
        </select>
      </label>
      <ErrorMessage error={trades.error} />
      {list.length === 0 && !trades.loading && <p className="muted">{t('common.none')}</p>}
      <ul className="list">
        {list.map((trade) => (
          <li key={trade.trade_no} data-trade={trade.out_trade_no}>
            <p>
              <strong>{trade.subject}</strong> · <code>{trade.out_trade_no}</code> · {formatMoney(trade.total_amount, trade.currency)} ·{' '}
              <span data-testid="trade-status">{tOr(`status.${trade.trade_status}`, trade.trade_status)}</span>
            </p>
            {trade.trade_status === 'WAIT_BUYER_PAY' && <CashierCode trade={trade} />}
            {shop.role !== 'support' && REFUNDABLE.has(trade.trade_status) && <RefundForm token={token} base={base} trade={trade} onRefunded={onRefunded} />}
            <details>
              <summary>{t('shop.timeline')}</summary>
              <TradeTimeline token={token} base={base} trade={trade} role={shop.role} version={version} />
            </details>
          </li>
        ))}
      </ul>
      <Pager next={trades.data?.next_cursor} atFirst={cursor === undefined} onFirst={() => setCursor(undefined)} onNext={setCursor} />
    </Panel>
  );
}

function RefundForm({ token, base, trade, onRefunded }: { token: string; base: string; trade: ShopTrade; onRefunded: () => void }) {
  const { t } = useI18n();
  const [form, setForm] = useState({ amount: '', reason: '' });
  const action = useAction(async () => {
    const body = { amount: form.amount.trim(), currency: trade.currency, reason: form.reason.trim(), out_request_no: crypto.randomUUID() };
    await api(`${base}/trades/${trade.trade_no}/refunds`, { method: 'POST', token, body });
    onRefunded();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  return (
    <form className="form" onSubmit={submit} aria-label={`${t('shop.refund')} ${trade.out_trade_no}`}>
      <Field
        label={t('shop.refundAmount')}
        name="refund_amount"
        inputMode="decimal"
        value={form.amount}
        onChange={(e) => setForm({ ...form, amount: e.target.value })}
        required
      />
      <Field label={t('shop.refundReason')} name="refund_reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} required />
      <button type="submit" disabled={action.running}>
        {t('shop.refund')}
      </button>
      <ErrorMessage error={action.error} />
    </form>
  );
}

function TradeTimeline({ token, base, trade, role, version }: { token: string; base: string; trade: ShopTrade; role: Membership['role']; version: number }) {
  const { t, tOr, lang } = useI18n();
  const [answered, setAnswered] = useState(0);
  const url = `${base}/trades/${trade.trade_no}`;
  const timeline = useLoad(`${url}#${version}.${answered}`, () => api<Timeline>(url, { token }));
  const data = timeline.data;
  return (
    <div className="timeline" data-testid="timeline">
      <ErrorMessage error={timeline.error} />
      {data && (
        <>
          <ol>
            {data.events.map((e) => (
              <li key={`${e.kind}-${e.at}-${e.detail}`}>
                {clockTime(e.at, lang)} · {tOr(`shop.event.${e.kind}`, e.kind)} {e.detail && <span className="muted">{e.detail}</span>}
              </li>
            ))}
          </ol>
          {data.refunds.map((r) => (
            <p key={r.out_request_no}>{t('shop.refunded', { amount: formatMoney(r.amount, trade.currency), reason: r.reason })}</p>
          ))}
          {data.notifications.map((n) => (
            <p key={n.notify_id} className="muted">
              {t('shop.notification', { status: n.status, attempts: n.attempts })}
            </p>
          ))}
          {data.dispute && (
            <Dispute token={token} url={url} dispute={data.dispute} mayAnswer={role !== 'finance'} onAnswered={() => setAnswered((v) => v + 1)} />
          )}
        </>
      )}
    </div>
  );
}

function Dispute({
  token,
  url,
  dispute,
  mayAnswer,
  onAnswered,
}: {
  token: string;
  url: string;
  dispute: NonNullable<Timeline['dispute']>;
  mayAnswer: boolean;
  onAnswered: () => void;
}) {
  const { t } = useI18n();
  const [answer, setAnswer] = useState('');
  const action = useAction(async () => {
    await api(`${url}/dispute-answer`, { method: 'POST', token, body: { answer: answer.trim() } });
    onAnswered();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  const open = dispute.status === 'open' || dispute.status === 'answered';
  return (
    <div>
      <p>{t('shop.dispute', { reason: dispute.reason, status: dispute.status })}</p>
      {dispute.answer && <p className="muted">{t('shop.disputeAnswer', { answer: dispute.answer })}</p>}
      {open && mayAnswer && (
        <form className="form" onSubmit={submit}>
          <label className="field wide">
            <span>{t('shop.answerLabel')}</span>
            <textarea name="dispute_answer" rows={3} value={answer} onChange={(e) => setAnswer(e.target.value)} required />
          </label>
          <button type="submit" disabled={action.running}>
            {t('shop.answer')}
          </button>
          <ErrorMessage error={action.error} />
        </form>
      )}
    </div>
  );
}

/** An unpaid trade's cashier as the QR code precreate answered (qr_code): the buyer scans it to pay. */
function CashierCode({ trade }: { trade: ShopTrade }) {
  const { t } = useI18n();
  const link = `${window.location.origin}/checkout/${encodeURIComponent(trade.trade_no)}`;
  return (
    <details className="cashier-code">
      <summary>{t('shop.qrCode')}</summary>
      <QrCode value={link} label={t('shop.qrLabel', { trade: trade.out_trade_no })} size={200} />
      <p className="muted">
        <a href={link}>{link}</a>
      </p>
    </details>
  );
}
