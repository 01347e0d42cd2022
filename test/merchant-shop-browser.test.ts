import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { systemClock } from '../src/engine/clock.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { ensureWebBuild } from '../web/build.ts';
import { CHROMIUM, hasChromium, launchChromium } from './support/browser.ts';
import { axeViolations } from './support/axe.ts';
import { send } from './support/http.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { fund, newUser, type TestUser } from './support/users.ts';

if (!hasChromium) console.warn(`merchant console browser test skipped: no ${CHROMIUM} (apt-get install chromium)`);

describe.runIf(hasChromium)('the merchant console in Chromium', () => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let browser: Browser;
  let owner: TestUser;
  let outTradeNo = '';
  let merchantId = '';
  let tradeNo = '';

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ bankUrl: bank.url });
    const as = (user: TestUser, method: string, route: string, body?: unknown) => send(server.url + route, user.token, method, body);
    let buyer: TestUser;
    [owner, buyer] = await Promise.all([newUser(server, 'Owner'), newUser(server, 'Buyer')]);
    await fund(server, buyer, '100.00');
    const created = await server.call('POST', '/v1/admin/merchants', {
      name: 'Tea House',
      public_key: rsaKeyPair().publicKey,
      fee_bps: 0,
      owner_phone: owner.phone,
    });
    merchantId = created.body.merchant_id;
    outTradeNo = 'shop-1';
    const trade = await server.app.trades.create(merchantId, { outTradeNo, subject: 'Tea set', totalAmountMinor: 5_000n });
    tradeNo = trade.tradeNo;
    expect((await as(buyer, 'POST', `/v1/trades/${tradeNo}/pay`, { request_id: 'pay-shop-1' })).status).toBe(200);
    const escrow = await server.app.trades.create(merchantId, {
      outTradeNo: 'shop-2',
      subject: 'Teapot',
      totalAmountMinor: 3_000n,
      productCode: 'ESCROW_TRADE_PAY',
    });
    expect((await as(buyer, 'POST', `/v1/trades/${escrow.tradeNo}/pay`, { request_id: 'pay-shop-2' })).status).toBe(200);
    expect((await as(buyer, 'POST', `/v1/trades/${escrow.tradeNo}/disputes`, { reason: 'never arrived' })).status).toBe(201);
    const started = await as(owner, 'POST', '/v1/cards', { bank: 'ICBC', card_no: CARD_A, name: 'Li Lei', id_no: '110101199001011234', phone: owner.phone });
    const sms = await send(`${bank.url}/sim/sms?phone=${owner.phone}`, undefined, 'GET');
    await as(owner, 'POST', `/v1/cards/${started.body.card_id}/confirm`, { sms_code: sms.body.messages.at(-1).code });
    expect((await as(owner, 'PUT', `/v1/merchant-console/merchants/${merchantId}/payout-account`, { card_id: started.body.card_id })).status).toBe(200);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bank?.close();
  });

  it('the owner sees the balance, refunds part of a trade with a reason, and withdraws the rest', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    // The wallet's login leaves the session in this tab's sessionStorage; the console reads it there.
    await context.addInitScript(`sessionStorage.setItem('formica.session', ${JSON.stringify(owner.token)})`);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/shop`);
    const balance = page.locator('[data-testid=shop-balance]');
    await balance.filter({ hasText: '50.00' }).waitFor();
    const trade = page.locator(`li[data-trade=${outTradeNo}]`);
    await trade.locator('input[name=refund_amount]').fill('20.00');
    await trade.locator('input[name=refund_reason]').fill('one cup arrived broken');
    await trade.locator('button[type=submit]').click();
    await balance.filter({ hasText: '30.00' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await page.fill('input[name=withdraw_amount]', '30.00');
    await page.click('#shop-balance button[type=submit]');
    await page.locator('#withdrawal-result', { hasText: 'the bank has paid it' }).waitFor();
    await balance.filter({ hasText: '0.00' }).waitFor();
    // The trade's timeline shows the refund and its reason.
    await trade.locator('summary').click();
    await trade.locator('[data-testid=timeline]', { hasText: 'one cup arrived broken' }).waitFor();
    // The seller answers the other trade's refund request from its timeline.
    const disputed = page.locator('li[data-trade=shop-2]');
    await disputed.locator('summary').click();
    await disputed.locator('textarea[name=dispute_answer]').fill('Shipped by SF, waybill SF123');
    await disputed.locator('[data-testid=timeline] button[type=submit]').click();
    await disputed.locator('[data-testid=timeline]', { hasText: 'Your answer: Shipped by SF, waybill SF123' }).waitFor();
    // Yesterday's bill downloads as a file; the owner sees the SDK configuration.
    // The server's clock is the test's, not the browser's: name the day before it.
    await page.fill('input[name=bill_date]', new Date(server.clock.now() + 8 * 3_600_000 - 86_400_000).toISOString().slice(0, 10));
    const download = page.waitForEvent('download');
    await page.click('#shop-bills button[type=submit]');
    expect((await download).suggestedFilename()).toMatch(/^bill-\d{4}-\d{2}-\d{2}\.csv$/);
    const appId = (await server.app.merchants.require(merchantId)).appId;
    await page.locator('[data-testid=sdk-config]', { hasText: appId }).waitFor();
    // The owner replaces the app's key; the old one stops working at once.
    const next = rsaKeyPair().publicKey;
    await page.fill('textarea[name=new_public_key]', next);
    await page.click('#shop-sdk button[type=submit]');
    await page.locator('#key-rotated').waitFor();
    expect(await server.app.merchants.findPublicKey(appId)).toBe(next);
    // The status filter narrows the list to the escrow trade waiting for shipment.
    await page.selectOption('select[name=status_filter]', 'WAIT_SELLER_SEND_GOODS');
    await page.locator(`li[data-trade=${outTradeNo}]`).waitFor({ state: 'detached' });
    expect(await page.locator('#shop-trades li[data-trade]').count()).toBe(1);
    expect(await axeViolations(page)).toEqual([]);
    const timeline = await server.app.trades.timeline(merchantId, tradeNo);
    expect(timeline.refunds).toEqual([expect.objectContaining({ reason: 'one cup arrived broken', amountMinor: 2_000n, status: 'done' })]);
    await context.close();
  });

  it('pages the trades 20 at a time, in Chinese: on to the older ones and back to the first page', async () => {
    // 20 newer unpaid trades fill the first page; the two trades above move to the second.
    for (let i = 1; i <= 20; i++) await server.app.trades.create(merchantId, { outTradeNo: `more-${i}`, subject: 'Cup', totalAmountMinor: 100n + BigInt(i) });
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    await context.addInitScript(`sessionStorage.setItem('formica.session', ${JSON.stringify(owner.token)})`);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/shop`);
    const rows = page.locator('#shop-trades li[data-trade]');
    await page.locator('li[data-trade=more-20]').waitFor();
    expect(await rows.count()).toBe(20);
    expect(await page.locator(`li[data-trade=${outTradeNo}]`).count()).toBe(0);
    const pager = page.locator('#shop-trades .pager');
    expect(await pager.getByRole('button', { name: '第一页' }).isDisabled()).toBe(true);
    await pager.getByRole('button', { name: '下一页' }).click();
    await page.locator(`li[data-trade=${outTradeNo}]`).waitFor();
    expect((await rows.evaluateAll((items) => items.map((li) => li.getAttribute('data-trade')))).sort()).toEqual(['shop-1', 'shop-2']);
    expect(await pager.getByRole('button', { name: '下一页' }).isDisabled()).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await pager.getByRole('button', { name: '第一页' }).click();
    await page.locator('li[data-trade=more-20]').waitFor();
    expect(await rows.count()).toBe(20);
    await context.close();
  });
});
