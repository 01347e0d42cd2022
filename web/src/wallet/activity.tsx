// What the user did, newest first, one line per thing (GET /v1/wallet/activity): who with, what
// kind, the signed amount, and the status while it is not done yet. "Show more" appends the next page.
import { useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { formatMoney, shortDateTime } from '../money.ts';
import type { ActivityItem, ActivityPage } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Icon, type IconName } from '../ui/icons.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

const ICONS: Record<ActivityItem['kind'], IconName> = {
  transfer_out: 'pay',
  transfer_in: 'user',
  topup: 'topup',
  withdrawal: 'withdraw',
  payment: 'store',
  refund: 'store',
  credit: 'gift',
  debit: 'gift',
};

export function ActivityScreen() {
  const { t } = useI18n();
  return (
    <div className="stack">
      <ScreenTitle title={t('activity.title')} />
      <section className="card-box" aria-label={t('activity.title')}>
        <ActivityList pageSize={20} paged />
      </section>
    </div>
  );
}

export function ActivityList({ pageSize, paged }: { pageSize: number; paged: boolean }) {
  const { t } = useI18n();
  const { token, version } = useSession();
  const [before, setBefore] = useState<string>();
  const [earlier, setEarlier] = useState<ActivityItem[]>([]);
  useEffect(() => {
    // A refresh (a payment, a top-up) starts again from the newest line.
    if (version >= 0) {
      setBefore(undefined);
      setEarlier([]);
    }
  }, [version]);
  const query = `/v1/wallet/activity?limit=${pageSize}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
  const page = useLoad(`${query}#${version}`, () => api<ActivityPage>(query, { token }));
  const items = [...earlier, ...(page.data?.items ?? [])];
  const more = () => {
    if (!page.data?.next) return;
    setEarlier(items);
    setBefore(page.data.next);
  };
  return (
    <>
      <ErrorMessage error={page.error} />
      {items.length === 0 && !page.loading && <p className="muted empty">{t('activity.empty')}</p>}
      <ul className="items" data-testid="activity">
        {items.map((item) => (
          <ActivityLine key={item.id} item={item} />
        ))}
      </ul>
      {paged && page.data?.next && (
        <button type="button" className="ghost wide" onClick={more} disabled={page.loading}>
          {t('activity.more')}
        </button>
      )}
    </>
  );
}

function ActivityLine({ item }: { item: ActivityItem }) {
  const { t, lang } = useI18n();
  const kind = t(`activity.kind.${item.kind}` as MessageKey);
  const signed = formatMoney(item.direction === 'out' ? `-${item.amount}` : `+${item.amount}`, item.currency);
  const sub = [kind, shortDateTime(item.created_at, lang), item.memo].filter(Boolean).join(' · ');
  return (
    <li className="item" data-kind={item.kind} data-status={item.status}>
      <span className={`item-icon ${item.direction}`}>
        <Icon name={ICONS[item.kind]} />
      </span>
      <span className="item-main">
        <span className="item-title">{title(item, kind, t)}</span>
        <span className="item-sub">{sub}</span>
      </span>
      <span className="item-end">
        <span className={`amount ${item.direction}`}>{signed}</span>
        {item.status !== 'completed' && <span className={`status ${item.status}`}>{t(`activity.status.${item.status}` as MessageKey)}</span>}
      </span>
    </li>
  );
}

function title(item: ActivityItem, kind: string, t: Translate): string {
  const party = item.counterparty;
  if (!party || party.kind === 'platform') return kind;
  if (party.kind === 'card') return t('activity.card', { bank: party.name, last4: party.last4 ?? '----' });
  if (party.kind === 'merchant') return party.name;
  const who = party.phone ? `${party.name} ${party.phone}` : party.name;
  return t(item.direction === 'out' ? 'activity.to' : 'activity.from', { name: who });
}
