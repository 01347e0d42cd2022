// A buyer completes an escrow purchase in the hosted pages, in real Chromium: logs in and pays on
// the checkout page, the merchant ships, and the buyer confirms receipt on the same page. Needs
// Debian's chromium (CI installs it); on a machine without it the suite is skipped, and says so.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { CHROMIUM, hasChromium, launchChromium } from './support/browser.ts';
import { axeViolations, sidewaysOverflow } from './support/axe.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

if (!hasChromium) console.warn(`checkout browser test skipped: no ${CHROMIUM} (apt-get install chromium)`);

// A customer of the simulated banks (DEFAULT_CUSTOMERS), so a card binds in this name.
const BUYER = { phone: '13900000042', password: 'buyer-password', name: 'Li Lei' };

// Skipped only where the machine has no Chromium (a fresh user machine with just Node.js and npm).
describe.skipIf(!hasChromium)('hosted checkout in Chromium', () => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let browser: Browser;
  let merchantId: string;
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-checkout-'));

  beforeAll(async () => {
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ bankUrl: bank.url });
    const { app } = server;
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await app.merchants.create({
      name: 'Tea House',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
      notifyUrl: undefined,
    });
    merchantId = merchant.merchantId;
    const buyer = await app.identity.register(BUYER);
    await app.wallet.openWallet(buyer.id);
    await app.identity.addEvidence(buyer.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
    await app.wallet.adjust({ userId: buyer.id, amountMinor: 50_000n, currency: 'CNY', direction: 'credit', reason: 'test funds', requestId: 'fund-buyer' });
    const card = await app.cards.bind(buyer.id, { bank: 'ICBC', cardNo: CARD_A, name: BUYER.name, idNo: '110101199001011234', phone: BUYER.phone });
    const sms = (await (await fetch(`${bank.url}/sim/sms?phone=${BUYER.phone}`)).json()) as { messages: { code: string }[] };
    await app.cards.confirm(buyer.id, card.cardId, sms.messages[0].code);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bank?.close();
    if (process.env.FORMICA_KEEP_SCREENSHOTS === '1') console.log(`checkout screenshots in ${shots}`);
    else fs.rmSync(shots, { recursive: true, force: true });
  });

  /** Logs in on the page, presses `expectedButton`, then (paying) the `choice` offered after login. */
  async function actOnPage(tradeNo: string, expectedButton: RegExp, expectedMessage: RegExp, choice?: RegExp): Promise<void> {
    const page = await browser.newPage();
    await page.goto(`${server.url}/checkout/${tradeNo}`);
    await page.fill('input[name=phone]', BUYER.phone);
    await page.fill('input[name=password]', BUYER.password);
    const button = page.locator('button[type=submit]');
    expect(await button.textContent()).toMatch(expectedButton);
    await button.click();
    if (choice) await page.locator('#choices button', { hasText: choice }).click();
    await page.locator('#message', { hasText: expectedMessage }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(shots, `${tradeNo}.png`) });
    await page.close();
  }

  it('pays, and after shipment confirms receipt, settling the seller less the fee', async () => {
    const { app } = server;
    const { trade } = await app.trades.precreate(merchantId, {
      outTradeNo: 'browser-order-1',
      subject: '龙井茶 Longjing tea',
      totalAmountMinor: 12_345n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    await actOnPage(trade.tradeNo, /Log in to pay/, /Payment succeeded/, /Pay from balance/);
    expect((await app.trades.query(merchantId, { tradeNo: trade.tradeNo })).status).toBe('WAIT_SELLER_SEND_GOODS');

    await app.trades.ship(merchantId, { tradeNo: trade.tradeNo }, { logisticsType: 'EXPRESS', waybillNo: 'SF1001' });
    await actOnPage(trade.tradeNo, /confirm receipt/, /Receipt confirmed/);
    const settled = await app.trades.query(merchantId, { tradeNo: trade.tradeNo });
    expect(settled.status).toBe('TRADE_SUCCESS');
    // 123.45 at 60 bp: a fee of 0.74 (0.7407 rounded half-up), 122.71 to the seller.
    const settlement = await app.store.getAccount(`mch_settle_${merchantId}`);
    expect(settlement?.creditsPosted).toBe(12_345n);
    expect(settlement?.debitsPosted).toBe(74n);
    expect((await verifyStore(app.store)).problems).toEqual([]);
  });

  it('pays by a bound card chosen on the page: the money comes in through the bank', async () => {
    const { app } = server;
    const { trade } = await app.trades.precreate(merchantId, { outTradeNo: 'browser-order-3', subject: 'Tea set', totalAmountMinor: 2_000n });
    const before = await app.wallet.summary((await app.identity.findByPhone(BUYER.phone))!.id);
    await actOnPage(trade.tradeNo, /Log in to pay/, /Payment succeeded/, /Pay by card ICBC \*\*\*\*\d{4}/);
    const paid = await app.trades.query(merchantId, { tradeNo: trade.tradeNo });
    expect(paid.status).toBe('TRADE_SUCCESS');
    const after = await app.wallet.summary((await app.identity.findByPhone(BUYER.phone))!.id);
    expect(after.balanceMinor).toBe(before.balanceMinor);
    expect((await verifyStore(app.store)).problems).toEqual([]);
  });

  it('at phone size shows the merchant, the amount, a countdown and the page as a QR code, with no axe violation', async () => {
    const { trade } = await server.app.trades.precreate(merchantId, {
      outTradeNo: 'browser-order-4',
      subject: '碧螺春 Biluochun tea',
      totalAmountMinor: 8_800n,
    });
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/checkout/${trade.tradeNo}`);
    expect(await page.locator('h1#merchant').textContent()).toBe('Tea House');
    expect(await page.locator('#amount').textContent()).toContain('¥88.00');
    await page.locator('#countdown', { hasText: /Time left \d+:\d{2}/ }).waitFor();
    const qr = page.locator('.scan svg');
    expect(await qr.isVisible()).toBe(true);
    expect(await page.locator('.scan [role=img]').getAttribute('aria-label')).toContain(`/checkout/${trade.tradeNo}`);
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: path.join(shots, 'checkout-390.png'), fullPage: true });
    await page.close();
  });

  it('shows a wrong password on the page and moves no money', async () => {
    const { app } = server;
    const { trade } = await app.trades.precreate(merchantId, { outTradeNo: 'browser-order-2', subject: 'Tea cups', totalAmountMinor: 500n });
    const page = await browser.newPage();
    await page.goto(`${server.url}/checkout/${trade.tradeNo}`);
    await page.fill('input[name=phone]', BUYER.phone);
    await page.fill('input[name=password]', 'not-the-password');
    await page.click('button[type=submit]');
    await page.locator('#message', { hasText: /Failed/ }).waitFor({ timeout: 10_000 });
    await page.close();
    expect((await app.trades.query(merchantId, { tradeNo: trade.tradeNo })).status).toBe('WAIT_BUYER_PAY');
  });
});
