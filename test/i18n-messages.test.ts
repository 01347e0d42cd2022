// The web app's messages go through ICU MessageFormat (intl-messageformat) inside t(): plurals and
// numbers follow the chosen language, every ICU message parses in both dictionaries with the same
// arguments, and a plain message is filled as before.
import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import { en } from '../web/src/i18n/en.ts';
import { formatMessage } from '../web/src/i18n/format.ts';
import { zh } from '../web/src/i18n/zh.ts';

/** The argument names a message uses, at any depth (plural branches included). */
function argumentsOf(text: string): string[] {
  const names = new Set<string>();
  type Elements = ReturnType<IntlMessageFormat['getAst']>;
  const LITERAL = 0;
  const walk = (elements: Elements) => {
    for (const element of elements) {
      if (element.type === LITERAL || !('value' in element)) continue;
      names.add(element.value);
      if ('options' in element) for (const option of Object.values(element.options) as { value: Elements }[]) walk(option.value);
    }
  };
  walk(new IntlMessageFormat(text, 'en').getAst());
  return [...names].sort();
}

describe('web app messages', () => {
  it('chooses the plural form of the language', () => {
    expect(formatMessage('en', en['activity.count'], { count: 1 })).toBe('1 line shown');
    expect(formatMessage('en', en['activity.count'], { count: 12 })).toBe('12 lines shown');
    expect(formatMessage('zh', zh['activity.count'], { count: 1 })).toBe('已显示 1 笔');
    expect(formatMessage('en', '{n, number} {n, plural, one {fen} other {fen}}', { n: 1234567 })).toBe('1,234,567 fen');
  });

  it('fills plain messages as text, and leaves a missing value visible', () => {
    expect(formatMessage('en', en['activity.to'], { name: 'Bob' })).toBe('To Bob');
    expect(formatMessage('en', en['activity.to'])).toBe('To {name}');
  });

  it('parses every message in both languages with the same arguments', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(argumentsOf(zh[key]), key).toEqual(argumentsOf(en[key]));
    }
  });
});
