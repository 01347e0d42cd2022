import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { ensureWebBuild } from '../web/build.ts';
import { expectFitsAndClean, hasChromium, launchChromium, logInToWallet } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORD = 'wallet-password';
const GIVER = { phone: '13800000501', name: '王芳' };
const FRIEND = { phone: '13800000502', name: 'Sun Wei' };
const HOUR_MS = 3_600_000;

describe.skipIf(!hasChromium)('the campaign page in the wallet, in Chromium', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let browser: Browser;
  const logIn = (locale: string, who: { phone: string }) => logInToWallet(browser, server.url, locale, who.phone, PASSWORD);
  const ids: Record<string, string> = {};
  const total = async (userId: string) => Object.values((await server.app.campaigns.hand('wufu-web', userId)).cards).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    server = await startTestServer({ clock });
    for (const who of [GIVER, FRIEND]) ids[who.phone] = (await server.app.identity.register({ ...who, password: PASSWORD })).id;
    await server.app.social.addFriend(ids[GIVER.phone], FRIEND.phone);
    const created = await server.call('POST', '/v1/admin/campaigns', {
      campaign_id: 'wufu-web',
      name: '集五福 2027',
      pool_amount: '5000.00',
      currency: 'CNY',
      card_odds: { 富强: 10, 爱国: 10, 和谐: 10, 友善: 10, 敬业: 1 },
      daily_card_cap: 50,
      reveal_at: new Date(clock.now() + 49 * HOUR_MS).toISOString(),
      split: 'equal',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('counts down to the reveal, scans three cards and gives one to a friend (zh), who sees it (en)', async () => {
    const page = await logIn('zh-CN', GIVER);
    await page.click('#action-campaign');
    await page.fill('input[name=campaign_id]', 'wufu-web');
    await page.click('#cf-pick button[type=submit]');
    await page.locator('#cf-reveal', { hasText: '¥5,000.00' }).waitFor();
    // The device's clock and the server's started together: 49 hours less the seconds since.
    expect(await page.locator('#cf-countdown').textContent()).toMatch(/^距开奖 2 天 00:\d\d:\d\d$/);
    for (let scans = 1; scans <= 3; scans++) {
      await page.click('#cf-scan-button');
      await expect.poll(() => total(ids[GIVER.phone])).toBe(scans);
    }
    await page.locator('#cf-got').waitFor();
    await expect
      .poll(() => page.locator('.fu-count').allInnerTexts())
      .toSatisfy((counts: string[]) => counts.reduce((sum, c) => sum + Number(c.slice(1)), 0) === 3);
    await expect(page.locator('#cf-complete').textContent()).resolves.toBe('每种福卡各集一张即可瓜分奖池。');
    const given = await page.locator('#cf-gift-card').inputValue();
    await page.click('#cf-gift button[type=submit]');
    await page.locator('#cf-gave', { hasText: 'Sun Wei' }).waitFor();
    expect(await total(ids[GIVER.phone])).toBe(2);
    expect((await server.app.campaigns.hand('wufu-web', ids[FRIEND.phone])).cards[given as '富强']).toBe(1);
    await expectFitsAndClean(page, 'campaign-zh');

    const friend = await logIn('en-US', FRIEND);
    await friend.goto(`${server.url}/app/campaign?campaign=wufu-web`);
    await friend.locator(`.fu-card[data-kind="${given}"] .fu-count`, { hasText: '×1' }).waitFor();
    expect(await friend.locator('#cf-countdown').textContent()).toMatch(/^Reveal in 2 d 00:\d\d:\d\d$/);
    expect(await friend.locator('#cf-complete').textContent()).toBe('Collect one of each kind to share the prize pool.');
    await expectFitsAndClean(friend, 'campaign-en');
  }, 120_000);
});
