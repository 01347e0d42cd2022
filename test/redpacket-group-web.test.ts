// Three users of one group send and open lucky red packets from the web wallet, in real Chromium at
// phone size (390 x 844): Wang Fang (Chinese) befriends the other two, makes the group and sends a
// packet; Li Wei and Zhang Min (English) find it in the group's packet list and open it; Zhang Min
// sends one back, which the others open from the list until it is all taken. The list shows each
// packet's state and what the viewer got, newest first; the shares sum exactly to each packet; the
// operator's dashboard counts the packets sent and the shares opened. Every page fits 320 to 430 px
// and axe finds nothing. Needs Debian's chromium; skipped without it.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { ensureWebBuild } from '../web/build.ts';
import { axeViolations } from './support/axe.ts';
import { expectFitsAndClean, hasChromium, launchChromium, logInToWallet } from './support/browser.ts';
import type { ManualClock } from '../src/engine/clock.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORD = 'wallet-password';
const WANG = { phone: '13800000501', name: '王芳' };
const LI = { phone: '13800000502', name: 'Li Wei' };
const ZHANG = { phone: '13800000503', name: 'Zhang Min' };
const fen = (amount: string) => BigInt(amount.replace('.', ''));

describe.skipIf(!hasChromium)('a group of three sends and opens lucky packets in the wallet, in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const ids: Record<string, string> = {};
  const logIn = (locale: string, who: { phone: string }) => logInToWallet(browser, server.url, locale, who.phone, PASSWORD);

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    server = await startTestServer();
    for (const who of [WANG, LI, ZHANG]) {
      const user = await server.app.identity.register({ ...who, password: PASSWORD });
      await server.app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
      await server.app.wallet.adjust({
        userId: user.id,
        amountMinor: 100_00n,
        currency: 'CNY',
        direction: 'credit',
        reason: 'test funds',
        requestId: `fund-${who.phone}`,
      });
      ids[who.phone] = user.id;
    }
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  /** The red packet page, once its group list has loaded. */
  async function redPackets(page: Page): Promise<void> {
    await page.click('#action-redpackets');
    await page.locator('#rp-friend').waitFor();
  }

  /** Picks the packet with this greeting from the group's list, opens it and returns the amount shown. */
  async function openFromList(page: Page, greeting: string): Promise<string> {
    await page.locator('#rp-feed li', { hasText: greeting }).getByRole('button', { name: greeting }).click();
    await page.locator('#packet-title', { hasText: greeting }).waitFor();
    await page.click('#packet-open');
    await page.locator('#packet-got .sr-only').waitFor();
    const text = (await page.locator('#packet-got .sr-only').textContent()) ?? '';
    const amount = /¥([\d,]+\.\d{2})/.exec(text)?.[1]?.replace(/,/g, '') ?? '';
    expect(amount).toMatch(/^\d+\.\d{2}$/);
    return amount;
  }

  it('sends to the group, and the members open from its packet list', async () => {
    const wang = await logIn('zh-CN', WANG);
    await redPackets(wang);
    for (const friend of [LI, ZHANG]) {
      await wang.fill('#rp-friend input[name=friend_phone]', friend.phone);
      await wang.click('#rp-friend button[type=submit]');
      await wang.locator('#rp-new-group label', { hasText: friend.name }).waitFor();
    }
    for (const friend of [LI, ZHANG]) await wang.locator('#rp-new-group label', { hasText: friend.name }).click();
    await wang.fill('#rp-new-group input[name=group_name]', '一家人');
    await wang.click('#rp-new-group button[type=submit]');
    await wang.locator('#rp-group option', { hasText: '一家人' }).waitFor({ state: 'attached' });
    await wang.locator('#rp-feed', { hasText: '这个群还没有红包' }).waitFor();
    await wang.fill('#rp-send input[name=amount]', '30.00');
    await wang.fill('#rp-send input[name=shares]', '3');
    await wang.fill('#rp-send input[name=greeting]', '恭喜发财');
    await wang.click('#rp-send button[type=submit]');
    await wang.locator('#packet-title', { hasText: '恭喜发财' }).waitFor();
    await wang.locator('#rp-feed li', { hasText: '恭喜发财' }).filter({ hasText: '剩余 ¥30.00' }).waitFor();
    await expectFitsAndClean(wang, 'rp-group-sent-zh');

    const li = await logIn('en-GB', LI);
    await redPackets(li);
    await li
      .locator('#rp-feed li', { hasText: '恭喜发财' })
      .filter({ hasText: `From ${WANG.name}` })
      .waitFor();
    await expectFitsAndClean(li, 'rp-group-list-en');
    const liGot = await openFromList(li, '恭喜发财');
    await li
      .locator('#rp-feed li', { hasText: '恭喜发财' })
      .filter({ hasText: `You got ¥${liGot}` })
      .waitFor();
    await li.locator('#rp-feed li', { hasText: '恭喜发财' }).filter({ hasText: '1 of 3 opened' }).waitFor();

    const zhang = await logIn('en-GB', ZHANG);
    await redPackets(zhang);
    const zhangGot = await openFromList(zhang, '恭喜发财');
    // A minute later Zhang Min sends one back; it comes first in the list, the newest (two packets
    // of the same instant have no order, and the test server's clock stands still unless moved).
    (server.clock as ManualClock).advance(60_000);
    await zhang.fill('#rp-send input[name=amount]', '9.99');
    await zhang.fill('#rp-send input[name=shares]', '2');
    await zhang.fill('#rp-send input[name=greeting]', 'Happy new year');
    await zhang.click('#rp-send button[type=submit]');
    await zhang.locator('#packet-title', { hasText: 'Happy new year' }).waitFor();
    await zhang.locator('#rp-feed li').first().filter({ hasText: 'Happy new year' }).waitFor();
    await zhang.locator('#rp-feed li', { hasText: '恭喜发财' }).filter({ hasText: '2 of 3 opened' }).waitFor();
    await expectFitsAndClean(zhang, 'rp-group-two-packets-en');

    await wang.reload();
    await wang.locator('#rp-feed li').first().filter({ hasText: 'Happy new year' }).waitFor();
    const wangGot = await openFromList(wang, 'Happy new year');
    await wang
      .locator('#rp-feed li', { hasText: 'Happy new year' })
      .filter({ hasText: `你领到 ¥${wangGot}` })
      .waitFor();
    await li.reload();
    const liSecond = await openFromList(li, 'Happy new year');
    await li
      .locator('#rp-feed li', { hasText: 'Happy new year' })
      .filter({ hasText: '2 of 2 opened' })
      .filter({ hasText: `You got ¥${liSecond}` })
      .waitFor();
    await li.locator('#packet-summary', { hasText: 'all opened' }).waitFor();
    await expectFitsAndClean(li, 'rp-group-opened-en');

    // The shares of each packet sum to it exactly; the first keeps its third share for the refund.
    expect(fen(wangGot) + fen(liSecond)).toBe(999n);
    const [newest, oldest] = (
      await server.app.redPackets.feed((await server.app.social.groups(ids[WANG.phone], { limit: 1 })).items[0].groupId, ids[WANG.phone], { limit: 10 })
    ).packets;
    expect([newest.status, newest.remainingMinor]).toEqual(['finished', 0n]);
    expect(oldest.remainingMinor + fen(liGot) + fen(zhangGot)).toBe(3000n);
    for (const page of [wang, li, zhang]) await page.context().close();
  }, 180_000);

  it("counts the group's packets on the operator's dashboard", async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    await page.fill('input[name=operator_token]', server.token);
    await page.click('#operator button[type=submit]');
    await page.locator('#red-packet-totals', { hasText: 'Last hour: 2 sent, 4 shares opened, 0 refunded.' }).waitFor();
    await page.locator('#chart-red-packets canvas').first().waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await context.close();
  });
});
