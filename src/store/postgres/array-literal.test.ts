import { describe, expect, it } from 'vitest';
import { int8Array, textArray } from './array-literal.ts';

describe('PostgreSQL array literals', () => {
  it('writes integers bare, bigint and number alike, and an empty array as {}', () => {
    expect(int8Array([1n, -2n, 2n ** 63n - 1n, 7])).toBe('{1,-2,9223372036854775807,7}');
    expect(int8Array([])).toBe('{}');
    expect(textArray([])).toBe('{}');
  });

  it('quotes every text element and escapes only quotes and backslashes inside', () => {
    expect(textArray(['a', '', 'NULL', 'x,y', '{z}', ' sp '])).toBe('{"a","","NULL","x,y","{z}"," sp "}');
    expect(textArray(['say "hi"', 'C:\\dir'])).toBe('{"say \\"hi\\"","C:\\\\dir"}');
  });

  it('refuses a number that is not a safe integer', () => {
    expect(() => int8Array([1.5])).toThrow('must be an integer');
  });
});
