// Debian's Chromium for the browser tests (playwright-core cannot download browsers here), started
// the one way every browser test starts it, and the wallet journeys' shared steps.
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { axeViolations, sidewaysOverflow } from './axe.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);

/** Headless, and without the background traffic this machine's closed network would refuse. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A phone-sized page of the wallet, logged in as `phone`. */
export async function logInToWallet(browser: Browser, url: string, locale: string, phone: string, password: string): Promise<Page> {
  const context = await browser.newContext({ locale, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(`${url}/app/`);
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', password);
  await page.click('#login button[type=submit]');
  await page.locator('[data-testid=balance]').waitFor();
  return page;
}

/** No sideways scroll from the narrowest to the widest phone, and axe finds nothing; `name` says
 *  which page failed. With `shotsDir`, the page is kept there as a screenshot. */
export async function expectFitsAndClean(page: Page, name: string, shotsDir?: string): Promise<void> {
  for (const width of [320, 430, 390]) {
    await page.setViewportSize({ width, height: 844 });
    expect(await sidewaysOverflow(page), `${name} at ${width} px`).toBeLessThanOrEqual(0);
  }
  if (shotsDir) await page.screenshot({ path: path.join(shotsDir, `${name}.png`), fullPage: true });
  expect(await axeViolations(page), name).toEqual([]);
}

/** From the wallet's home: tops up `amount` from the bound card and waits for the result. */
export async function topUpFromCard(page: Page, amount: string): Promise<void> {
  await page.click('#action-topup');
  await page.fill('input[name=card_amount]', amount);
  await page.click('#topup button[type=submit]');
  await page.locator('#money-result', { hasText: `¥${amount}` }).waitFor();
}

/** Pays a friend by phone from the wallet's pay page, with the payment PIN, and waits for the receipt. */
export async function payFriend(page: Page, url: string, payment: { phone: string; amount: string; memo: string; pin: string }): Promise<void> {
  await page.goto(`${url}/app/pay`);
  await page.fill('input[name=to_phone]', payment.phone);
  await page.fill('input[name=amount]', payment.amount);
  await page.fill('input[name=memo]', payment.memo);
  await page.fill('input[name=payment_pin]', payment.pin);
  await page.click('#pay button[type=submit]');
  await page.locator('#pay-done', { hasText: `¥${payment.amount}` }).waitFor();
}
