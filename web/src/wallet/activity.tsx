// What the user did, newest first, one line per thing (GET /v1/wallet/activity): who with, what
// kind, the signed amount, and the status while it is not done yet. "Show more" appends the next page.
// Filters by month and kind (kept in the address), a CSV export of what they select, and each line
// opening its detail with the receipt (?line=<id>).
import { type MouseEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { type Translate, useI18n } from '../i18n/i18n.tsx';
import { formatMoney, shortDateTime } from '../money.ts';
import { hrefOf } from '../router.ts';
import { ActivityDetail } from './activity-detail.tsx';
import type { ActivityItem, ActivityPage } from '../types.ts';
import { download } from '../download.ts';
import { setSearchParams, useSearchParam } from '../search-param.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useAction } from '../ui/use-action.ts';
import { Icon, type IconName } from '../ui/icons.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

export const ACTIVITY_ICONS: Record<ActivityItem['kind'], IconName> = {
  transfer_out: 'pay',
  transfer_in: 'user',
  topup: 'topup',
  withdrawal: 'withdraw',
  payment: 'store',
  refund: 'store',
  credit: 'gift',
  debit: 'gift',
};

const KINDS: readonly ActivityItem['kind'][] = ['payment', 'transfer_out', 'transfer_in', 'topup', 'withdrawal', 'refund', 'credit', 'debit'];

export function ActivityScreen() {
  const { t } = useI18n();
  const line = useSearchParam('line');
  const month = useSearchParam('month') ?? '';
  const kind = useSearchParam('kind') ?? '';
  if (line) return <ActivityDetail id={line} />;
  const filter = `${month ? `&month=${month}` : ''}${kind ? `&kind=${kind}` : ''}`;
  return (
    <div className="stack">
      <ScreenTitle title={t('activity.title')} />
      <section className="card-box" aria-label={t('activity.filters')}>
        <form className="filters" id="activity-filters" onSubmit={(event) => event.preventDefault()}>
          <label className="field">
            <span>{t('activity.filter.month')}</span>
            <input type="month" name="month" value={month} onChange={(e) => setSearchParams({ month: e.target.value }, true)} />
          </label>
          <label className="field">
            <span>{t('activity.filter.kind')}</span>
            <select name="kind" value={kind} onChange={(e) => setSearchParams({ kind: e.target.value }, true)}>
              <option value="">{t('activity.filter.all')}</option>
              {KINDS.map((k) => (
                <option key={k} value={k}>
                  {t(`activity.kind.${k}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <ExportButton filter={filter} />
        </form>
      </section>
      <section className="card-box" aria-label={t('activity.title')}>
        <ActivityList pageSize={20} paged filter={filter} />
      </section>
    </div>
  );
}

function ExportButton({ filter }: { filter: string }) {
  const { t } = useI18n();
  const { token } = useSession();
  const action = useAction(async () => void (await download(`/v1/wallet/activity/export?${filter.slice(1)}`, token, 'formica-activity.csv')));
  return (
    <div className="filter-action">
      <button type="button" id="activity-export" className="ghost" onClick={() => void action.run()} disabled={action.running}>
        {t('activity.export')}
      </button>
      <ErrorMessage error={action.error} />
    </div>
  );
}

export function ActivityList({ pageSize, paged, filter = '' }: { pageSize: number; paged: boolean; filter?: string }) {
  const { t } = useI18n();
  const { token, version } = useSession();
  const [before, setBefore] = useState<string>();
  const [earlier, setEarlier] = useState<ActivityItem[]>([]);
  useEffect(() => {
    // A refresh (a payment, a top-up) starts again from the newest line.
    if (version >= 0 && filter !== undefined) {
      setBefore(undefined);
      setEarlier([]);
    }
  }, [version, filter]);
  const query = `/v1/wallet/activity?limit=${pageSize}${filter}${before ? `&before=${encodeURIComponent(before)}` : ''}`;
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
      {items.length === 0 && !page.loading && <p className="muted empty">{t(filter ? 'activity.none' : 'activity.empty')}</p>}
      {paged && items.length > 0 && (
        <p className="muted" id="activity-count" aria-live="polite">
          {t('activity.count', { count: items.length })}
        </p>
      )}
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

export function signedMoney(item: ActivityItem): string {
  return formatMoney(item.direction === 'out' ? `-${item.amount}` : `+${item.amount}`, item.currency);
}

function openLine(event: MouseEvent<HTMLAnchorElement>, id: string): void {
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  if (window.location.pathname !== hrefOf('activity')) window.history.pushState(null, '', hrefOf('activity'));
  setSearchParams({ line: id });
  window.scrollTo(0, 0);
}

function ActivityLine({ item }: { item: ActivityItem }) {
  const { t, lang } = useI18n();
  const kind = t(`activity.kind.${item.kind}` as MessageKey);
  const sub = [kind, shortDateTime(item.created_at, lang), item.memo].filter(Boolean).join(' · ');
  const href = `${hrefOf('activity')}?line=${encodeURIComponent(item.id)}`;
  return (
    <li className="item" data-kind={item.kind} data-status={item.status}>
      <a className="item-link" href={href} onClick={(event) => openLine(event, item.id)}>
        <span className={`item-icon ${item.direction}`}>
          <Icon name={ACTIVITY_ICONS[item.kind]} />
        </span>
        <span className="item-main">
          <span className="item-title">{title(item, kind, t)}</span>
          <span className="item-sub">{sub}</span>
        </span>
        <span className="item-end">
          <span className={`amount ${item.direction}`}>{signedMoney(item)}</span>
          {item.status !== 'completed' && <span className={`status ${item.status}`}>{t(`activity.status.${item.status}` as MessageKey)}</span>}
        </span>
      </a>
    </li>
  );
}

export function title(item: ActivityItem, kind: string, t: Translate): string {
  const party = item.counterparty;
  if (!party || party.kind === 'platform') return kind;
  if (party.kind === 'card') return t('activity.card', { bank: party.name, last4: party.last4 ?? '----' });
  if (party.kind === 'merchant') return party.name;
  const who = party.phone ? `${party.name} ${party.phone}` : party.name;
  return t(item.direction === 'out' ? 'activity.to' : 'activity.from', { name: who });
}
