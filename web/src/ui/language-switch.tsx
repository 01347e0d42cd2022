// 中文 / English, each button pressed or not; the choice is remembered (see i18n.tsx).
import { LANGS, useI18n } from '../i18n/i18n.tsx';

const LANG_NAMES = { zh: '中文', en: 'English' } as const;
const LANG_TAGS = { zh: 'zh-CN', en: 'en' } as const;

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <fieldset className="langs">
      <legend className="sr-only">{t('lang.label')}</legend>
      {LANGS.map((l) => (
        <button key={l} type="button" lang={LANG_TAGS[l]} data-lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {LANG_NAMES[l]}
        </button>
      ))}
    </fieldset>
  );
}
