// Life services and return-shipping insurance in the wallet, in real Chromium at phone size, in
// Chinese: a new user finds the Hangzhou electricity biller, looks up the demo bill 1000000001, pays
// it from the balance, sees the biller's confirmation and downloads the PDF receipt, then turns on
// autopay; the hosted checkout of an escrow trade offers the return-shipping insurance and buys it
// with the payment; an insured trade whose goods came back shows its claim among the user's trades;
// the operator's dashboard shows the day's collections per biller and the loss ratio. The pages fit the phone's width and axe finds nothing. Needs Debian's chromium; skipped without it.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BillerSimApp, startBillerSimulator } from '../sim/biller/server.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { ensureWebBuild } from '../web/build.ts';
import { hasChromium, launchChromium } from './support/browser.ts';
import { axeViolations, sidewaysOverflow } from './support/axe.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PERSON = { phone: '13800000301', password: 'bills-password', name: '王芳' };

describe.skipIf(!hasChromium)('life services and insurance in the wallet, in Chromium', () => {
  const clock = new ManualClock(Date.now());
  let billers: BillerSimApp & { url: string };
  let server: TestServer;
  let browser: Browser;
  let userId = '';
  let shop = '';
  /** One merchant for the insured trades, registered on first use. */
  const merchantId = async () => {
    if (!shop) {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      shop = (await server.app.merchants.create({ name: 'Shoe shop', publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), feeBps: 60 }))
        .merchantId;
    }
    return shop;
  };

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    billers = await startBillerSimulator({ port: 0, seed: 5, clock });
    server = await startTestServer({ clock, billerUrl: billers.url });
    const user = await server.app.identity.register(PERSON);
    userId = user.id;
    await server.app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
    await server.app.wallet.adjust({
      userId: user.id,
      amountMinor: 500_00n,
      currency: 'CNY',
      direction: 'credit',
      reason: 'test funds',
      requestId: 'fund-bills-web',
    });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await billers?.close();
  });

  it('pays the demo electricity bill, shows the confirmation and downloads the receipt', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/`);
    await page.fill('input[name=phone]', PERSON.phone);
    await page.fill('input[name=password]', PERSON.password);
    await page.click('#login button[type=submit]');
    await page.click('#action-bills');
    await page.locator('select[name=charge_inst] option', { hasText: '国网杭州供电公司' }).waitFor({ state: 'attached' });
    await page.fill('input[name=bill_key]', '1000000001');
    await page.click('#bills form button[type=submit]');
    await page.locator('#bill-due', { hasText: '128.50' }).waitFor();
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);

    await page.click('#bill-pay');
    await page.locator('#bill-status', { hasText: '等待确认' }).waitFor();
    // The biller confirms within seconds; the confirmation job hears it.
    clock.advance(5_000);
    await server.app.jobs.find((job) => job.name === 'bill-confirmations')!.runNow();
    await page.click('#bill-check');
    await page.locator('#bill-status', { hasText: '缴费成功' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bill-receipt')]);
    const pdf = fs.readFileSync((await download.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    await page.fill('input[name=monthly_cap]', '200.00');
    await page.fill('input[name=day_of_month]', '15');
    await page.click('#bill form[aria-labelledby=autopay-title] button[type=submit]');
    await page.locator('#autopay-done').waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it('offers the return-shipping insurance at the checkout of an escrow trade and buys it with the payment', async () => {
    const trade = await server.app.trades.create(await merchantId(), {
      outTradeNo: 'web-ins-checkout',
      subject: 'Boots',
      totalAmountMinor: 30_00n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/checkout/${trade.tradeNo}`);
    await page.fill('input[name=phone]', PERSON.phone);
    await page.fill('input[name=password]', PERSON.password);
    await page.click('#act button[type=submit]');
    await page.check('#insure');
    expect(await axeViolations(page)).toEqual([]);
    await page.click('#choices button');
    // A Chinese browser gets the Chinese cashier.
    await page.locator('#message', { hasText: '已投保退货运费险' }).waitFor();
    expect((await server.app.insurance.policyOf(trade.tradeNo))?.status).toBe('active');
    await context.close();
  });

  it("shows an insured trade's claim among the buyer's trades", async () => {
    const { app } = server;
    const merchant = await merchantId();
    const trade = await app.trades.create(merchant, { outTradeNo: 'web-ins-1', subject: 'Shoes', totalAmountMinor: 50_00n, productCode: 'ESCROW_TRADE_PAY' });
    await app.trades.payWithWallet(userId, trade.tradeNo, 'web-ins-pay');
    await app.insurance.buy(userId, trade.tradeNo);
    await app.trades.ship(merchant, { tradeNo: trade.tradeNo }, { logisticsType: 'EXPRESS' });
    await app.trades.refund(merchant, { tradeNo: trade.tradeNo }, { refundAmountMinor: 50_00n, outRequestNo: 'web-ins-refund' });
    expect(await app.insurance.claimDue()).toBe(1);

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/`);
    await page.fill('input[name=phone]', PERSON.phone);
    await page.fill('input[name=password]', PERSON.password);
    await page.click('#login button[type=submit]');
    await page.locator('[data-testid=balance]', { hasText: '¥' }).waitFor();
    await page.click('a[href="/app/me"]');
    await page.locator('#trades', { hasText: '退货运费险已赔付 ¥10.00' }).waitFor();
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });

  it("shows the day's bill collections per biller and the insurance loss ratio on the dashboard", async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    await page.fill('input[name=operator_token]', server.token);
    await page.click('#operator button[type=submit]');
    await page.locator('#bill-collections tr', { hasText: '国网杭州供电公司' }).filter({ hasText: '¥128.50' }).waitFor();
    const { insurance } = (await server.call('GET', '/v1/admin/dashboard')).body;
    expect(Number(insurance.claims)).toBe(10);
    await page.locator('#loss-ratio', { hasText: `${(Number(insurance.loss_ratio) * 100).toFixed(1)}%` }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
