// The wallet's scan flow opens only a cashier of the site it runs on: a scanned or pasted code that
// names another site, or another page, is refused.
import { describe, expect, it } from 'vitest';
import { cashierPath } from '../web/src/wallet/scan-link.ts';

const ORIGIN = 'https://pay.formica.example';

describe('scan link', () => {
  it("opens this site's cashier, from a full link or a path", () => {
    expect(cashierPath(`${ORIGIN}/checkout/2026120222001`, ORIGIN)).toBe('/checkout/2026120222001');
    expect(cashierPath('  /checkout/2026120222001 ', ORIGIN)).toBe('/checkout/2026120222001');
    expect(cashierPath(`${ORIGIN}/checkout/2026120222001?lang=en`, ORIGIN)).toBe('/checkout/2026120222001');
  });

  it('refuses other sites, other pages and text that is no link', () => {
    for (const text of [
      'https://evil.example/checkout/2026120222001',
      `${ORIGIN.replace('https', 'http')}/checkout/1`,
      `${ORIGIN}/app/pay`,
      `${ORIGIN}/checkout/../v1/me`,
      `${ORIGIN}/checkout/a/b`,
      'javascript:alert(1)',
      '28123456789012345678',
      'http://[',
    ]) {
      expect(cashierPath(text, ORIGIN), text).toBeUndefined();
    }
  });
});
