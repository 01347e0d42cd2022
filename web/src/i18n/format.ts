// Messages as ICU MessageFormat (intl-messageformat): `{name}` placeholders, and plurals, numbers
// and dates in the chosen locale ("{count, plural, one {# line} other {# lines}}").
import { IntlMessageFormat } from 'intl-messageformat';

export type Lang = 'zh' | 'en';

/** The Intl locale of each language: numbers, dates, plurals and chart axes follow it. */
export const LOCALES: Record<Lang, string> = { zh: 'zh-CN', en: 'en-GB' };

export function fill(text: string, values: Record<string, string | number> = {}): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

const formats = new Map<string, IntlMessageFormat>();

/** The message formatted for `lang`; a plain one, or one whose values are missing, is filled as text. */
export function formatMessage(lang: Lang, text: string, values: Record<string, string | number> = {}): string {
  // Only messages with an ICU argument (", plural," and the like) need the parser.
  if (!/\{\s*\w+\s*,/.test(text)) return fill(text, values);
  const cacheKey = `${lang}\u0000${text}`;
  if (!formats.has(cacheKey)) formats.set(cacheKey, new IntlMessageFormat(text, LOCALES[lang]));
  try {
    return String(formats.get(cacheKey)!.format(values));
  } catch {
    return fill(text, values);
  }
}
