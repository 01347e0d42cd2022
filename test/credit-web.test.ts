// The credit pages in real Chromium, at phone size (390 x 844) and on a desktop (1280 x 800), in both
// languages: a shop with seven months of sales shows its owner the score with its reasons and lends
// 1,000.00 CNY for 30 days at the quoted 12.00 interest, changes the loan's sales-share consent and
// withdraws it (each confirmed first), then repays the loan; a buyer sees
// the pay-later line and the statements, pays the minimum and then the rest, and another splits a
// statement into 3 instalments after seeing the fee; the dashboard's credit panel draws the book with
// a loan past due. Every page fits 360 px without sideways scroll and axe finds nothing.
// Screenshots are kept with FORMICA_KEEP_SCREENSHOTS=1. Needs Debian's chromium; skipped without it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { payTradeLater } from '../src/http/routes/credit.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { ensureWebBuild } from '../web/build.ts';
import { axeViolations, sidewaysOverflow } from './support/axe.ts';
import { hasChromium, launchChromium, logInToWallet } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORD = 'wallet-password';
const DAY_MS = 86_400_000;
const OWNER = { phone: '13800001101', name: '王芳' };
const PAYER = { phone: '13800001102', name: 'Liu Yang' };
const SPLITTER = { phone: '13800001103', name: 'Sun Li' };
const LATE = { phone: '13800001104', name: 'Zhou Min' };
const SHOPPERS = ['13800001111', '13800001112', '13800001113'].map((phone, i) => ({ phone, name: `Shopper ${i + 1}` }));

describe.skipIf(!hasChromium)('credit pages in Chromium', () => {
  const at = (shanghai: string) => Date.parse(`${shanghai}+08:00`);
  const clock = new ManualClock(at('2026-01-15T10:00:00'));
  let server: TestServer;
  let browser: Browser;
  let merchantId = '';
  const ids: Record<string, string> = {};
  const keepShots = process.env.FORMICA_KEEP_SCREENSHOTS === '1';
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-credit-shots-'));
  const logIn = (locale: string, who: { phone: string }) => logInToWallet(browser, server.url, locale, who.phone, PASSWORD);

  /** A user verified by a bank card, with a wallet holding `fen`. */
  async function person(who: { phone: string; name: string }, fen: bigint): Promise<string> {
    const user = await server.app.identity.register({ ...who, password: PASSWORD });
    await server.app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: `desk-${who.phone}`, verifiedBy: 'operator' });
    await server.app.wallet.openWallet(user.id);
    if (fen > 0n)
      await server.app.wallet.adjust({
        userId: user.id,
        amountMinor: fen,
        currency: 'CNY',
        direction: 'credit',
        reason: 'test funds',
        requestId: `f-${who.phone}`,
      });
    return user.id;
  }

  /** A trade of the shop paid with pay later by `buyer`: billed on next month's statement. */
  async function buyLater(buyer: string, fen: bigint, tag: string): Promise<void> {
    const trade = await server.app.trades.create(merchantId, {
      outTradeNo: `later-${tag}`,
      subject: 'Tea',
      totalAmountMinor: fen,
      productCode: 'FAST_INSTANT_TRADE_PAY',
    });
    await payTradeLater(server.app, buyer, trade.tradeNo, `later-${tag}`);
  }

  /** No sideways scroll at 360 px and at the page's own width, and axe finds nothing. */
  async function expectFitsAndClean(page: Page, name: string, width: number): Promise<void> {
    for (const w of [360, width]) {
      await page.setViewportSize({ width: w, height: w > 600 ? 800 : 844 });
      // Charts take their new width on the next frames (a ResizeObserver): poll until the layout settles.
      await expect
        .poll(async () => ((await sidewaysOverflow(page)) > 0 ? `${w} px: ${(await widerThanWindow(page)).join(', ')}` : 'fits'), { timeout: 5_000 })
        .toBe('fits');
    }
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
    expect(await axeViolations(page), name).toEqual([]);
  }

  /** The innermost elements reaching past the window's right edge, to name what scrolls sideways. */
  function widerThanWindow(page: Page): Promise<string[]> {
    return page.evaluate(() => {
      interface Box {
        tagName: string;
        id: string;
        className: string;
        contains(other: Box): boolean;
        getBoundingClientRect(): { right: number };
      }
      // biome-ignore lint/suspicious/noExplicitAny: the page's globals (the project's types carry no DOM)
      const { document, innerWidth } = globalThis as any;
      const past = ([...document.querySelectorAll('body *')] as Box[]).filter((e) => e.getBoundingClientRect().right > innerWidth + 1);
      return past.filter((e) => !past.some((other) => other !== e && e.contains(other))).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`);
    });
  }

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    server = await startTestServer({ clock });
    const app = server.app;
    ids.owner = await person(OWNER, 0n);
    merchantId = (await app.merchants.create({ name: '茶馆 Tea House', publicKeyPem: rsaKeyPair().publicKey, feeBps: 60, ownerUserId: ids.owner })).merchantId;
    // Seven months of sales to three regular buyers, one refund: enough history for a score above 550.
    const shoppers = [];
    for (const s of SHOPPERS) {
      const id = await person(s, 10_000_000n);
      await app.identity.addEvidence(id, { source: IN_PERSON_SOURCE, grantedLevel: 'III', reference: `desk3-${s.phone}`, verifiedBy: 'operator' });
      shoppers.push(id);
    }
    let n = 0;
    for (let month = 0; month < 7; month++) {
      for (const buyer of shoppers) {
        n++;
        const trade = await app.trades.create(merchantId, {
          outTradeNo: `o-${n}`,
          subject: 'Tea',
          totalAmountMinor: 90_000n,
          productCode: 'FAST_INSTANT_TRADE_PAY',
        });
        await app.trades.payWithWallet(buyer, trade.tradeNo, `pay-${n}`);
        if (n === 7) await app.trades.refund(merchantId, { tradeNo: trade.tradeNo }, { refundAmountMinor: 90_000n, outRequestNo: 'r-1' });
      }
      clock.advance(31 * DAY_MS);
    }
    ids.payer = await person(PAYER, 500_000n);
    ids.splitter = await person(SPLITTER, 500_000n);
    ids.late = await person(LATE, 500_000n);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (keepShots) console.log(`credit screenshots in ${shots}`);
    else fs.rmSync(shots, { recursive: true, force: true });
  });

  it('shows the owner the shop score with its reasons, lends at the quoted cost and takes the repayment', async () => {
    const score = await server.app.credit.score(ids.owner, merchantId);
    expect(score.band).not.toBe('none');
    const page = await logIn('en-GB', OWNER);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(`${server.url}/app/loans`);
    await page.locator('[data-testid=credit-score]', { hasText: String(score.score) }).waitFor();
    const factors = page.locator('[data-testid=credit-factors] li');
    expect(await factors.count()).toBe(score.explained.length);
    await factors.first().filter({ hasText: score.explained[0].en }).waitFor();
    await expectFitsAndClean(page, 'loans-en', 1280);

    await page.fill('input[name=loan_amount]', '1000.00');
    await page.fill('input[name=days]', '30');
    await page.click('[data-testid=loan-terms] button[type=submit]');
    // 1,000.00 for 30 days at 0.04% a day: 12.00, due in one payment on 2026-09-19.
    await page.locator('[data-testid=loan-figures] dd', { hasText: '¥12.00' }).waitFor();
    expect(await page.locator('[data-testid=loan-figures] dd').allTextContents()).toEqual(['¥1,000.00', '¥12.00']);
    await page.locator('[data-testid=loan-quote] table', { hasText: '19 Sept 2026' }).waitFor();
    expect(await server.app.sql.get('SELECT loan_id FROM credit_loans WHERE merchant_id = ?', [merchantId])).toBeUndefined();
    // Changing the terms drops the quote: only a quoted loan can be taken.
    await page.fill('input[name=days]', '31');
    await page.locator('[data-testid=loan-quote]').waitFor({ state: 'detached' });
    await page.fill('input[name=days]', '30');
    await page.fill('input[name=sales_share]', '10');
    await page.click('[data-testid=loan-terms] button[type=submit]');
    await page.locator('[data-testid=loan-quote]', { hasText: '10% of each day’s settlements' }).waitFor();
    await page.click('[data-testid=loan-quote] button.primary');
    await page.locator('[data-testid=loan-borrowed]', { hasText: 'Borrowed ¥1,000.00' }).waitFor();
    const loan = page.locator('li.loan');
    await loan.locator('[data-testid=loan-status]', { hasText: 'active' }).waitFor();
    const stored = await server.app.sql.all<{ principal: bigint; sales_share_bps: bigint }>(
      'SELECT principal, sales_share_bps FROM credit_loans WHERE merchant_id = ?',
      [merchantId],
    );
    expect(stored.map((l) => [BigInt(l.principal), BigInt(l.sales_share_bps)])).toEqual([[100_000n, 1_000n]]);
    await expectFitsAndClean(page, 'loans-borrowed-en', 1280);

    // The consent changes on the existing loan, each change confirmed first; a cancelled one changes nothing.
    const shareBps = async () =>
      BigInt((await server.app.sql.get<{ bps: bigint }>('SELECT sales_share_bps AS bps FROM credit_loans WHERE merchant_id = ?', [merchantId]))!.bps);
    const share = loan.locator('[data-testid=sales-share]');
    await share.locator('[data-testid=sales-share-now]', { hasText: '10% of each day’s settlements' }).waitFor();
    await share.locator('button', { hasText: 'Withdraw consent' }).click();
    await share.locator('[data-testid=sales-share-confirm]', { hasText: 'no longer repay this loan' }).locator('button', { hasText: 'Cancel' }).click();
    await share.locator('[data-testid=sales-share-confirm]').waitFor({ state: 'detached' });
    expect(await shareBps()).toBe(1_000n);
    await share.locator('input[name=sales_share_percent]').fill('25');
    await share.locator('button[type=submit]').click();
    const confirmation = share.locator('[data-testid=sales-share-confirm]', { hasText: '25% of each day’s settlements repays this loan' });
    await confirmation.waitFor();
    await expectFitsAndClean(page, 'loans-share-confirm-en', 1280);
    await confirmation.locator('button', { hasText: 'Confirm' }).click();
    await share.locator('[data-testid=sales-share-saved]', { hasText: 'Saved: 25%' }).waitFor();
    await share.locator('[data-testid=sales-share-now]', { hasText: '25% of each day’s settlements' }).waitFor();
    expect(await shareBps()).toBe(2_500n);
    // Withdrawn on a phone, in Chinese.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('button[data-lang=zh]');
    await share.locator('button', { hasText: '撤回授权' }).click();
    await share.locator('[data-testid=sales-share-confirm]', { hasText: '销售额将不再用于偿还' }).waitFor();
    await expectFitsAndClean(page, 'loans-share-confirm-zh', 390);
    await share.locator('[data-testid=sales-share-confirm] button', { hasText: '确认' }).click();
    await share.locator('[data-testid=sales-share-saved]', { hasText: '已撤回授权' }).waitFor();
    await share.locator('[data-testid=sales-share-now]', { hasText: '不从销售额中扣款' }).waitFor();
    expect(await shareBps()).toBe(0n);
    await page.click('button[data-lang=en]');
    await page.setViewportSize({ width: 1280, height: 800 });

    // Repaid the same day: the principal, with no interest booked yet; the loan is closed.
    await loan.locator('button.ghost', { hasText: '¥1,000.00' }).click();
    expect(await loan.locator('input[name=repay_amount]').inputValue()).toBe('1000.00');
    await loan.locator('button[type=submit]', { hasText: 'See what it pays' }).click();
    // What it pays, part by part, before it is paid: all principal, no fee on this book's policy.
    const quote = loan.locator('[data-testid=repay-quote]');
    await quote.filter({ hasText: 'Principal' }).filter({ hasText: 'Early-repayment fee' }).waitFor();
    expect(await quote.locator('dd').allTextContents()).toEqual(['¥1,000.00', '¥0.00', '¥1,000.00']);
    await quote.locator('button', { hasText: 'Repay ¥1,000.00' }).click();
    await page.locator('[data-testid=loan-repaid]', { hasText: 'Principal outstanding now ¥0.00' }).waitFor();
    await page.locator('li.loan [data-testid=loan-status]', { hasText: 'repaid' }).waitFor();

    // The same page on a phone, in Chinese.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('button[data-lang=zh]');
    await page.locator('[data-testid=credit-factors]', { hasText: score.explained[0].zh }).waitFor();
    await page.locator('li.loan [data-testid=loan-status]', { hasText: '已还清' }).waitFor();
    await expectFitsAndClean(page, 'loans-zh', 390);
    await page.context().close();
  }, 180_000);

  it('shows a buyer the pay-later line and statements; the buyer pays the minimum, then the rest', async () => {
    await buyLater(ids.payer, 80_000n, 'payer-aug');
    await buyLater(ids.splitter, 80_000n, 'splitter-aug');
    clock.set(at('2026-09-02T10:00:00'));
    await buyLater(ids.payer, 12_345n, 'payer-sep');
    const page = await logIn('zh-CN', PAYER);
    await page.click('#action-paylater');
    const line = page.locator('[data-testid=paylater-line]');
    await line.filter({ hasText: '¥5,000.00' }).filter({ hasText: '¥923.45' }).waitFor();
    await page.locator('[data-testid=paylater-coming]', { hasText: '¥123.45' }).filter({ hasText: '2026年10月1日' }).waitFor();
    const statement = page.locator('[data-testid=statement][data-month="2026-09"]');
    await statement.filter({ hasText: '2026年9月账单' }).filter({ hasText: '¥800.00' }).waitFor();
    await expectFitsAndClean(page, 'paylater-zh', 390);

    await statement.locator('[data-testid=pay-minimum]', { hasText: '¥80.00' }).click();
    await statement.locator('[data-testid=statement-repaid]', { hasText: '¥80.00' }).waitFor();
    await statement.locator('dd', { hasText: '¥720.00' }).waitFor();
    await statement.locator('[data-testid=pay-minimum]').waitFor({ state: 'detached' });
    await statement.locator('[data-testid=pay-full]', { hasText: '¥720.00' }).click();
    await statement.locator('[data-testid=statement-status]', { hasText: '已还清' }).waitFor();
    await statement.locator('[data-testid=statement-repaid]', { hasText: '¥720.00' }).waitFor();
    expect((await server.app.credit.payLater.statement(ids.payer, '2026-09')).status).toBe('paid');
    await line.filter({ hasText: '¥123.45' }).waitFor();
    await page.click('button[data-lang=en]');
    await statement.filter({ hasText: 'Statement for September 2026' }).filter({ hasText: 'paid' }).waitFor();
    await expectFitsAndClean(page, 'paylater-paid-en', 390);
    await page.context().close();
  }, 180_000);

  it('splits a statement into 3 instalments after showing the 2.5% fee', async () => {
    const page = await logIn('en-GB', SPLITTER);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.click('#action-paylater');
    const statement = page.locator('[data-testid=statement][data-month="2026-09"]');
    await statement.locator('[data-testid=split-offer] summary').click();
    await statement.locator('select[name=split_months]').selectOption('3');
    await statement.locator('[data-testid=split-offer] button.secondary').click();
    const quote = statement.locator('[data-testid=split-quote]');
    await quote.filter({ hasText: 'Fee ¥20.00 in total' }).waitFor();
    expect(await quote.locator('tbody tr').count()).toBe(3);
    expect((await server.app.credit.payLater.statement(ids.splitter, '2026-09')).plan).toEqual([]);
    await expectFitsAndClean(page, 'paylater-split-quote-en', 1280);
    await quote.locator('button.primary').click();
    await statement.locator('[data-testid=statement-status]', { hasText: 'in instalments' }).waitFor();
    const split = await server.app.credit.payLater.statement(ids.splitter, '2026-09');
    expect(split.plan.map((i) => [i.dueDate, i.principal, i.fee])).toEqual([
      ['2026-09-10', 26_666n, 666n],
      ['2026-10-10', 26_666n, 666n],
      ['2026-11-10', 26_668n, 668n],
    ]);
    await statement.locator('table', { hasText: '10 Nov 2026' }).filter({ hasText: '¥266.68' }).waitFor();
    await page.context().close();
  }, 180_000);

  it('draws the credit book on the dashboard, with a loan past due, in both languages', async () => {
    const app = server.app;
    await app.credit.apply(ids.late, { product: 'short', amount: 200_000n, days: 5, requestId: 'late-1' });
    await app.wallet.adjust({ userId: ids.late, amountMinor: 700_000n, currency: 'CNY', direction: 'debit', reason: 'spent', requestId: 'spend-late' });
    for (let day = 0; day < 8; day++) {
      clock.advance(DAY_MS);
      await app.credit.serviceDue();
    }
    const portfolio = (await server.call('GET', '/v1/admin/credit/portfolio')).body;
    expect(portfolio.buckets['1-30']).toBe('2000.00');
    // 5% of the 2,000.00 in the 1-30 bucket is provisioned.
    expect(portfolio.provisions_by_bucket['1-30']).toBe('100.00');

    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
    await context.addInitScript(`sessionStorage.setItem('formica.operator', ${JSON.stringify(server.token)})`);
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    const panel = page.locator('#credit-panel');
    await panel.locator('[data-testid=credit-tiles]', { hasText: '¥2,000.00' }).waitFor();
    await panel.locator('#credit-buckets tr', { hasText: '1–30' }).filter({ hasText: '¥100.00' }).waitFor();
    // Four charts: the NPL ratio against the banks', by day (8 days serviced), and the two by bucket.
    expect(portfolio.history.length).toBeGreaterThanOrEqual(8);
    expect(await panel.locator('canvas').count()).toBe(4);
    await panel.getByText('Formica 0%; commercial banks 1.74%.').waitFor();
    await expectFitsAndClean(page, 'dashboard-credit-en', 1280);
    await page.click('button[data-lang=zh]');
    await panel.locator('#credit-buckets tr', { hasText: '1–30 天' }).waitFor();
    await panel.getByText('不良率与银行平均水平对比').waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await expectFitsAndClean(page, 'dashboard-credit-zh', 390);
    await context.close();
  }, 180_000);
});
