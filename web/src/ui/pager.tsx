// Cursor paging: back to the first page, or on to the next one the API named.
import { useI18n } from '../i18n/i18n.tsx';

export function Pager({
  next,
  onFirst,
  onNext,
  atFirst,
}: {
  next: string | null | undefined;
  atFirst: boolean;
  onFirst: () => void;
  onNext: (cursor: string) => void;
}) {
  const { t } = useI18n();
  if (atFirst && !next) return null;
  return (
    <div className="pager">
      <button type="button" className="ghost" disabled={atFirst} onClick={onFirst}>
        {t('common.first')}
      </button>
      <button type="button" className="ghost" disabled={!next} onClick={() => next && onNext(next)}>
        {t('common.next')}
      </button>
    </div>
  );
}
