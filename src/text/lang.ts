// The two languages Formica writes in, and which one a reader asked for.
export type Lang = 'zh' | 'en';

/** ?lang= when it names one, else the first of Accept-Language's languages Formica speaks, else Chinese. */
export function preferredLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'zh' || query === 'en') return query;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh';
}
