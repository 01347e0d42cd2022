// The language of the app: Chinese or English, first from the browser, then as the user chose
// (remembered in localStorage). `t(key, values)` formats the message as ICU MessageFormat
// (intl-messageformat): `{name}` placeholders, and plurals, numbers and dates in the chosen locale
// ("{count, plural, one {# line} other {# lines}}").
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { en, type MessageKey } from './en.ts';
import { formatMessage, type Lang } from './format.ts';
import { zh } from './zh.ts';

export type { Lang } from './format.ts';
export const LANGS: readonly Lang[] = ['zh', 'en'];
const STORAGE_KEY = 'formica.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { en, zh };

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

interface I18n {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: Translate;
  /** A translation when the dictionary has `key`, else `fallback` (for codes the server may add). */
  readonly tOr: (key: string, fallback: string) => string;
}

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.languages.some((l) => l.toLowerCase().startsWith('zh')) ? 'zh' : 'en';
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLangState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const dictionary = dictionaries[lang];
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    return {
      lang,
      setLang,
      t: (key, values) => formatMessage(lang, dictionary[key], values),
      tOr: (key, fallback) => (key in dictionary ? dictionary[key as MessageKey] : fallback),
    };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
