// The operator token check: the stored hash decides the first time, the kept token afterwards,
// and a wrong token is refused the same way before and after the right one was seen.
import { describe, expect, it } from 'vitest';
import { operatorTokenCheck, sha256 } from './auth.ts';

const TOKEN = 'fop_0123456789abcdefghijklmnopqrstuvwxyz';

describe('operatorTokenCheck', () => {
  it('refuses wrong tokens of any length before the right one is seen', () => {
    const check = operatorTokenCheck(sha256(TOKEN));
    expect(check('')).toBe(false);
    expect(check(TOKEN.slice(0, -1))).toBe(false);
    expect(check(`${TOKEN.slice(0, -1)}X`)).toBe(false);
    expect(check(`${TOKEN}X`)).toBe(false);
  });

  it('admits the right token every time and still refuses wrong ones after it', () => {
    const check = operatorTokenCheck(sha256(TOKEN));
    expect(check(TOKEN)).toBe(true);
    expect(check(TOKEN)).toBe(true);
    expect(check(`${TOKEN.slice(0, -1)}X`)).toBe(false);
    expect(check(TOKEN.slice(0, -1))).toBe(false);
    expect(check(`${TOKEN}X`)).toBe(false);
    expect(check(TOKEN)).toBe(true);
  });

  it('never admits a token whose hash is not the stored one, even one presented first', () => {
    const check = operatorTokenCheck(sha256(TOKEN));
    expect(check('fop_another-token-of-the-same-shape-000000')).toBe(false);
    expect(check(TOKEN)).toBe(true);
  });
});
