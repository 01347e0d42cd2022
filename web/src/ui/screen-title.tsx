// A screen's heading; on screens opened from home, a back link to it.
import { useI18n } from '../i18n/i18n.tsx';
import { Icon } from './icons.tsx';
import { Link } from './link.tsx';

export function ScreenTitle({ title, back = false }: { title: string; back?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="screen-title">
      {back && (
        <Link to="home" className="back" aria-label={t('nav.back')}>
          <Icon name="back" />
        </Link>
      )}
      <h1>{title}</h1>
    </div>
  );
}
