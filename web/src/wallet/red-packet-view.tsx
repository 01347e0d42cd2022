// One red packet: its greeting, status and what is left, the viewer's "open" button, the amount the
// viewer got (counted up from zero on the digits of the API's string), and who opened what.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney, shortDateTime } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { Friend } from './red-packets.tsx';
import { useSession } from './session-context.ts';

interface Packet {
  packet_id: string;
  sender_id: string;
  kind: 'lucky' | 'equal';
  total: string;
  shares: number;
  greeting: string;
  status: 'open' | 'finished' | 'expired';
  remaining: string;
  expires_at: string;
  opened: { user_id: string; amount: string; at: string }[];
}

export function PacketView({ packetId, friends, onOpened }: { packetId: string; friends: readonly Friend[]; onOpened?: () => void }) {
  const { t, lang } = useI18n();
  const { token, profile, refresh } = useSession();
  const [round, setRound] = useState(0);
  const [got, setGot] = useState<string>();
  const packet = useLoad(`packet#${packetId}#${round}`, () => api<Packet>(`/v1/red-packets/${encodeURIComponent(packetId)}`, { token }));
  const open = useCallback(async () => {
    const share = await api<{ amount: string }>(`/v1/red-packets/${encodeURIComponent(packetId)}/open`, { method: 'POST', token });
    setGot(share.amount);
    setRound((r) => r + 1);
    refresh();
    onOpened?.();
  }, [packetId, token, refresh, onOpened]);
  const action = useAction(open);
  const p = packet.data;
  const me = profile?.user_id;
  const nameOf = (userId: string) => (userId === me ? t('rp.you') : (friends.find((f) => f.user_id === userId)?.name ?? t('rp.member')));
  const mayOpen = p && p.status === 'open' && !p.opened.some((o) => o.user_id === me);
  return (
    <section className="card-box form-stack packet" aria-labelledby="packet-title" id="packet">
      <h2 id="packet-title">{p?.greeting || t('rp.greeting.default')}</h2>
      {p && (
        <p className="muted" id="packet-summary">
          {t('rp.from', { name: nameOf(p.sender_id) })} · {t(`rp.kind.${p.kind}`)} ·{' '}
          {t('rp.summary', { total: formatMoney(p.total, 'CNY'), opened: p.opened.length, shares: p.shares })} · {t(`rp.status.${p.status}`)}
        </p>
      )}
      <p className="muted">
        {t('rp.share')}{' '}
        <a href={`/app/redpackets?packet=${encodeURIComponent(packetId)}`} id="packet-link">
          <code id="packet-code">{packetId}</code>
        </a>
      </p>
      {got && <CountUp amount={got} />}
      {mayOpen && (
        <button type="button" className="primary open-packet" id="packet-open" disabled={action.running} onClick={() => void action.run()}>
          {t('rp.open')}
        </button>
      )}
      <ErrorMessage error={action.error ?? packet.error} />
      {p && (
        <>
          <h3>{t('rp.opened')}</h3>
          {p.opened.length === 0 && <p className="muted">{t('rp.nobody')}</p>}
          <ul className="items compact" id="packet-opens">
            {p.opened.map((o) => (
              <li key={o.user_id} className="item">
                <div className="item-main">
                  <span className="item-title">{nameOf(o.user_id)}</span>
                  <span className="item-sub">{shortDateTime(o.at, lang)}</span>
                </div>
                <span className="amount">{formatMoney(o.amount, 'CNY')}</span>
              </li>
            ))}
          </ul>
          <p className="muted">{t('rp.left', { amount: formatMoney(p.remaining, 'CNY'), time: shortDateTime(p.expires_at, lang) })}</p>
        </>
      )}
    </section>
  );
}

/**
 * The opened amount counted up from zero in whole fen (bigint); the last frame is the API's string
 * itself. Shown at once when the user asks for less motion.
 */
function CountUp({ amount }: { amount: string }) {
  const { t } = useI18n();
  const [shown, setShown] = useState(() => (window.matchMedia('(prefers-reduced-motion: reduce)').matches ? amount : '0.00'));
  useEffect(() => {
    if (window.matchMedia('(prefers-reduced-motion: reduce)').matches) return;
    const [whole, fraction = '00'] = amount.split('.');
    const fen = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2));
    const frames = 20;
    let frame = 0;
    const timer = setInterval(() => {
      frame += 1;
      if (frame >= frames) {
        setShown(amount);
        clearInterval(timer);
        return;
      }
      const part = (fen * BigInt(frame)) / BigInt(frames);
      setShown(`${part / 100n}.${String(part % 100n).padStart(2, '0')}`);
    }, 30);
    return () => clearInterval(timer);
  }, [amount]);
  return (
    <p className="packet-got" role="status" id="packet-got">
      <span aria-hidden="true">{formatMoney(shown, 'CNY')}</span>
      <span className="sr-only">{t('rp.got', { amount: formatMoney(amount, 'CNY') })}</span>
    </p>
  );
}
