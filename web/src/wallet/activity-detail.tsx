// One line of the activity (/app/activity?line=<id>): the amount first, then who with, what, when,
// the status and the reference, and its receipt as a PDF download.
import type { MouseEvent } from 'react';
import { api } from '../api.ts';
import { download } from '../download.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { hrefOf } from '../router.ts';
import { setSearchParams } from '../search-param.ts';
import type { ActivityItem } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Icon } from '../ui/icons.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { ACTIVITY_ICONS, signedMoney, title } from './activity.tsx';
import { useSession } from './session-context.ts';

function backToList(event: MouseEvent<HTMLAnchorElement>): void {
  event.preventDefault();
  setSearchParams({ line: null });
}

export function ActivityDetail({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { token } = useSession();
  const path = `/v1/wallet/activity/${encodeURIComponent(id)}`;
  const line = useLoad(path, () => api<ActivityItem>(path, { token }));
  const receipt = useAction(async () => void (await download(`${path}/receipt?lang=${lang}`, token, 'formica-receipt.pdf')));
  const item = line.data;
  const kind = item ? t(`activity.kind.${item.kind}` as MessageKey) : '';
  const when = item && new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'long', timeStyle: 'medium' }).format(new Date(item.created_at));
  return (
    <div className="stack" id="activity-detail">
      <div className="screen-title">
        <a className="back" href={hrefOf('activity')} aria-label={t('activity.back')} onClick={backToList}>
          <Icon name="back" />
        </a>
        <h1>{t('activity.detail')}</h1>
      </div>
      <ErrorMessage error={line.error} />
      {item && (
        <section className="card-box detail" aria-labelledby="detail-amount">
          <span className={`item-icon ${item.direction}`}>
            <Icon name={ACTIVITY_ICONS[item.kind]} />
          </span>
          <p className="muted">{title(item, kind, t)}</p>
          <p className={`detail-amount amount ${item.direction}`} id="detail-amount">
            {signedMoney(item)}
          </p>
          <dl className="facts">
            <dt>{t('activity.field.kind')}</dt>
            <dd>{kind}</dd>
            <dt>{t('activity.field.status')}</dt>
            <dd data-testid="detail-status">{t(`activity.status.${item.status}` as MessageKey)}</dd>
            <dt>{t('activity.field.time')}</dt>
            <dd>{when}</dd>
            {item.memo && (
              <>
                <dt>{t('activity.field.memo')}</dt>
                <dd>{item.memo}</dd>
              </>
            )}
            <dt>{t('activity.field.id')}</dt>
            <dd>
              <code>{item.id}</code>
            </dd>
          </dl>
          <button type="button" className="primary wide" id="download-receipt" onClick={() => void receipt.run()} disabled={receipt.running}>
            {t('activity.receipt')}
          </button>
          <ErrorMessage error={receipt.error} />
        </section>
      )}
    </div>
  );
}
