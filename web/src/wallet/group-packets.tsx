// The chosen group's red packets, newest first (GET /v1/groups/:id/red-packets): who sent each, how
// many shares are taken and what is left, whether the viewer already opened it and for how much.
// Picking one shows it above (where it can be opened); "Show more" appends the next, older page.
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney, shortDateTime } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

const PAGE_SIZE = 10;

export interface FeedPacket {
  packet_id: string;
  sender_id: string;
  sender_name: string;
  kind: 'lucky' | 'equal';
  total: string;
  shares: number;
  opened_count: number;
  remaining: string;
  greeting: string;
  status: 'open' | 'finished' | 'expired';
  created_at: string;
  mine: string | null;
}

interface FeedPage {
  packets: FeedPacket[];
  next: string | null;
}

/** `round` changes when a packet was sent or opened, so the list starts again from the newest. */
export function GroupPackets({ groupId, round, onShow }: { groupId: string; round: number; onShow: (packetId: string) => void }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [after, setAfter] = useState<string>();
  const [older, setOlder] = useState<FeedPacket[]>([]);
  useEffect(() => {
    if (groupId && round >= 0) {
      setAfter(undefined);
      setOlder([]);
    }
  }, [groupId, round]);
  const query = `/v1/groups/${encodeURIComponent(groupId)}/red-packets?limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
  const page = useLoad(`${query}#${round}`, () => api<FeedPage>(query, { token }));
  const packets = [...older, ...(page.data?.packets ?? [])];
  const more = () => {
    if (!page.data?.next) return;
    setOlder(packets);
    setAfter(page.data.next);
  };
  return (
    <section className="card-box form-stack" aria-labelledby="feed-title" id="rp-feed">
      <h2 id="feed-title">{t('rp.feed')}</h2>
      <ErrorMessage error={page.error} />
      {packets.length === 0 && !page.loading && <p className="muted">{t('rp.feed.empty')}</p>}
      <ul className="items compact">
        {packets.map((p) => (
          <FeedLine key={p.packet_id} packet={p} onShow={onShow} />
        ))}
      </ul>
      {page.data?.next && (
        <button type="button" className="ghost wide" onClick={more} disabled={page.loading}>
          {t('activity.more')}
        </button>
      )}
    </section>
  );
}

function FeedLine({ packet: p, onShow }: { packet: FeedPacket; onShow: (packetId: string) => void }) {
  const { t, lang } = useI18n();
  const { profile } = useSession();
  const from = p.sender_id === profile?.user_id ? t('rp.you') : p.sender_name || t('rp.member');
  const state =
    p.mine !== null
      ? t('rp.feed.mine', { amount: formatMoney(p.mine, 'CNY') })
      : p.status === 'open'
        ? t('rp.feed.left', { amount: formatMoney(p.remaining, 'CNY') })
        : t(`rp.status.${p.status}`);
  return (
    <li className="item" data-packet={p.packet_id} data-status={p.status}>
      <span className="item-main">
        <button type="button" className="link-button item-title" onClick={() => onShow(p.packet_id)}>
          {p.greeting || t('rp.greeting.default')}
        </button>
        <span className="item-sub">
          {t('rp.from', { name: from })} · {shortDateTime(p.created_at, lang)}
        </span>
        <span className="item-sub">{t('rp.summary', { total: formatMoney(p.total, 'CNY'), opened: p.opened_count, shares: p.shares })}</span>
      </span>
      <span className="item-end">
        <span className={p.mine !== null ? 'amount in' : 'status'}>{state}</span>
      </span>
    </li>
  );
}
