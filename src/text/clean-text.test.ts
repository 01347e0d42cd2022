// The text rule on its own: what it refuses, what it normalizes, and where it finds a bad string.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findUncleanText, normalizeText, textProblem } from './clean-text.ts';

describe('clean text', () => {
  it.each([
    ['a NUL', 'a\u0000b', 'control_character'],
    ['a newline', 'a\nb', 'control_character'],
    ['a tab', '\tb', 'control_character'],
    ['DEL', 'a\u007f', 'control_character'],
    ['a C1 control', 'a\u0085', 'control_character'],
    ['a lone high surrogate', 'a\ud800', 'malformed_unicode'],
    ['a lone low surrogate', '\udc00b', 'malformed_unicode'],
  ])('refuses %s', (_name, text, problem) => {
    expect(textProblem(text)).toBe(problem);
  });

  it.each([['plain'], ['中文 备注'], ['emoji 😀'], ['']])('accepts %j', (text) => {
    expect(textProblem(text)).toBeUndefined();
  });

  it('accepts every string without controls or lone surrogates', () => {
    const printable = fc.string({ unit: 'grapheme' }).filter((s) => !/\p{Cc}/u.test(s));
    fc.assert(fc.property(printable, (text) => textProblem(text) === undefined));
  });

  it('normalizes to NFC', () => {
    expect(normalizeText('e\u0301')).toBe('\u00e9');
  });

  it('names the first unclean string in nested values', () => {
    expect(findUncleanText({ a: 'ok', b: [{ c: 'x\u0000' }] })).toBe('b.0.c');
    expect(findUncleanText({ 'k\u0001': 'v' })).toBe('k\u0001');
    expect(findUncleanText({ a: 1, b: null, c: ['fine'] })).toBeUndefined();
  });
});
