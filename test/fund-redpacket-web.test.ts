// The fund and red packet pages of the wallet, in real Chromium at phone size (390 x 844). In
// Chinese, a level III user buys a fund for the first time on a Thursday morning: the purchase asks
// for the risk questionnaire, goes on once it is answered, and the holding shows the pending shares;
// on Saturday the shares are confirmed with Friday's income, and a fast sale lowers the day's fast
// cap left. In English, a user befriends another, creates a group with them and sends a lucky
// packet; the friend opens it from the packet's code and both see who opened what. Back on the
// fund page in English, the investor turns the automatic sweep on above a floor (a floor with fen
// fractions is refused with a clear message) and sells to a bound card; when the sandbox clock has
// passed the sweep time and the arrival date, the sale shows as paid to the card and the API's
// wallet, holdings and card balances agree; in Chinese the sweep is turned off. Time moves only
// through the sandbox clock's route. A user without a risk profile who switches the sweep on is
// asked the questionnaire first, and the sweep goes on once it is answered. Every page fits 320 to
// 430 px in both languages and axe finds nothing. Screenshots are kept with
// FORMICA_KEEP_SCREENSHOTS=1. Needs Debian's chromium; skipped without it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { parseIncomePer10k } from '../src/modules/fund/fund-income.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_C } from '../sim/bank/test-support.ts';
import { ensureWebBuild } from '../web/build.ts';
import { expectFitsAndClean, hasChromium, launchChromium, logInToWallet } from './support/browser.ts';
import { send } from './support/http.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const PASSWORD = 'wallet-password';
const INVESTOR = { phone: '13800000401', name: '李娜' };
const SENDER = { phone: '13800000402', name: 'Chen Jie' };
const FRIEND = { phone: '13800000403', name: 'Zhao Lei' };

describe.skipIf(!hasChromium)('fund and red packets in the wallet, in Chromium', () => {
  const at = (shanghai: string) => Date.parse(`${shanghai}+08:00`);
  const clock = new ManualClock(at('2026-03-05T10:00:00'));
  let server: TestServer;
  let bank: RunningBankSimulator;
  let browser: Browser;
  const logIn = (locale: string, who: { phone: string }) => logInToWallet(browser, server.url, locale, who.phone, PASSWORD);
  let investorId = '';
  let senderId = '';
  const keepShots = process.env.FORMICA_KEEP_SCREENSHOTS === '1';
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-fund-redpacket-shots-'));

  /** A registered user at the given level with money in the wallet. */
  async function person(who: { phone: string; name: string }, level: 'II' | 'III', balanceMinor: bigint): Promise<string> {
    const user = await server.app.identity.register({ ...who, password: PASSWORD });
    await server.app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: level, reference: 'test', verifiedBy: 'operator' });
    if (balanceMinor > 0n)
      await server.app.wallet.adjust({
        userId: user.id,
        amountMinor: balanceMinor,
        currency: 'CNY',
        direction: 'credit',
        reason: 'test funds',
        requestId: `fund-${who.phone}`,
      });
    return user.id;
  }

  /** Moves the sandbox clock; every job due on the way (confirmations, accruals, sweeps, payouts) has run when it answers. */
  async function advanceTo(shanghai: string) {
    expect((await server.call('POST', '/v1/sandbox/clock', { now: `${shanghai}+08:00` })).status).toBe(200);
  }

  /** The user's API, through a session of their own (sessions end when idle, so one per call after the clock moves). */
  async function asUser(who: { phone: string }, method: string, route: string, body?: unknown) {
    const session = await send(`${server.url}/v1/sessions`, undefined, 'POST', { phone: who.phone, password: PASSWORD });
    return send(server.url + route, session.body.token, method, body);
  }

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    bank = await startBankSimulator({ clock: systemClock, port: 0 });
    server = await startTestServer({ clock, sandbox: true, bankUrl: bank.url, bankTimeoutMs: 2_000 });
    await server.app.fund.catalog.create(
      { fundId: 'yuebao', name: '余额宝货币基金', manager: 'Tianhong', custodian: 'CITIC', riskLevel: 2, dailyCapMinor: null },
      clock.now(),
    );
    // Nine days of income before the journey, so the 7-day yield and its chart have data.
    for (let day = 24; day <= 32; day += 1) {
      const date = day <= 28 ? `2026-02-${day}` : `2026-03-0${day - 28}`;
      await server.app.fund.publishIncome('yuebao', date, parseIncomePer10k(`0.${6000 + day * 10}`));
    }
    investorId = await person(INVESTOR, 'III', 20_000_00n);
    senderId = await person(SENDER, 'II', 100_00n);
    await person(FRIEND, 'II', 0n);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bank?.close();
    if (keepShots) console.log(`fund and red packet screenshots in ${shots}`);
    else fs.rmSync(shots, { recursive: true, force: true });
  });

  it('answers the questionnaire on the first purchase, buys the fund and shows the holding', async () => {
    const page = await logIn('zh-CN', INVESTOR);
    await page.click('#action-fund');
    await page.locator('#fund-list', { hasText: '余额宝货币基金' }).waitFor();
    const [fund] = (await server.call('GET', '/v1/funds')).body.funds;
    expect(fund.seven_day_yield).toMatch(/^\d+\.\d{3}$/);
    await page.locator('#fund-list', { hasText: `${fund.seven_day_yield}%` }).waitFor();
    await expectFitsAndClean(page, 'fund-list', shots);
    await page.click('#fund-list button.pick');
    await page.locator('#yield-chart', { hasText: `当前 ${fund.seven_day_yield}%` }).waitFor();
    await page.fill('#fund-subscribe input[name=amount]', '10000.00');
    await page.click('#fund-subscribe button[type=submit]');
    // No risk profile yet: the questionnaire comes first; the second option everywhere gives tolerance 2, enough for this level 2 fund.
    await page.locator('#risk-questionnaire legend', { hasText: '这笔钱可以投资多久' }).waitFor();
    await expectFitsAndClean(page, 'fund-questionnaire', shots);
    for (const group of await page.locator('#risk-questionnaire fieldset').all()) await group.locator('input[type=radio]').nth(1).check();
    await page.click('#risk-questionnaire button[type=submit]');
    await page.locator('#fund-bought', { hasText: '已买入 ¥10,000.00' }).filter({ hasText: '2026-03-06' }).waitFor();
    await page.locator('#holdings', { hasText: '10,000.00 份确认中' }).waitFor();
    expect((await server.app.fund.holdings(investorId))[0].pendingSharesMinor).toBe(10_000_00n);
    await expectFitsAndClean(page, 'fund-bought', shots);
    await page.context().close();

    // Confirmed on Friday; Friday's income (0.6500 per 10,000 shares) is paid after the day.
    await advanceTo('2026-03-06T00:00:00');
    await server.app.fund.publishIncome('yuebao', '2026-03-06', parseIncomePer10k('0.6500'));
    await advanceTo('2026-03-07T09:00:00');
    const later = await logIn('zh-CN', INVESTOR);
    await later.click('#action-fund');
    await later.locator('#holdings', { hasText: '10,000.65 份' }).filter({ hasText: '¥0.65' }).waitFor();
    await later.click('#fund-list button.pick');
    await later.locator('#fast-left', { hasText: '¥10,000.00' }).waitFor();
    await later.fill('#fund-redeem input[name=shares]', '100.00');
    await later.click('#fund-redeem button[type=submit]');
    await later.locator('#fund-redeemed', { hasText: '¥100.00 已转入余额' }).waitFor();
    await later.locator('#fast-left', { hasText: '剩余额度 ¥9,900.00' }).waitFor();
    await later.locator('#holdings', { hasText: '9,900.65 份' }).waitFor();
    // A normal sale on a Saturday counts from Monday, the next trading day, and arrives on Tuesday; the fast cap is untouched.
    await later.fill('#fund-redeem input[name=shares]', '900.65');
    await later.check('#fund-redeem input[value=normal]');
    await later.click('#fund-redeem button[type=submit]');
    await later.locator('#fund-redeemed', { hasText: '¥900.65 将于 2026-03-10 到账' }).waitFor();
    await later.locator('#holdings', { hasText: '9,000.00 份' }).waitFor();
    await later.locator('#fast-left', { hasText: '¥9,900.00' }).waitFor();
    await expectFitsAndClean(later, 'fund-sold', shots);
    await later.click('button[data-lang=en]');
    await later.locator('#holdings', { hasText: "Yesterday's income" }).waitFor();
    await expectFitsAndClean(later, 'fund-sold-en', shots);
    await later.context().close();
  });

  it('creates a group with a friend, sends a lucky packet and the friend opens it', async () => {
    const sender = await logIn('en-GB', SENDER);
    await sender.click('#action-redpackets');
    await sender.locator('#rp-friend').waitFor();
    await expectFitsAndClean(sender, 'rp-start', shots);
    await sender.fill('#rp-friend input[name=friend_phone]', FRIEND.phone);
    await sender.click('#rp-friend button[type=submit]');
    await sender.locator('#rp-new-group label', { hasText: FRIEND.name }).click();
    await sender.fill('#rp-new-group input[name=group_name]', 'Family');
    await sender.click('#rp-new-group button[type=submit]');
    await sender.locator('#rp-group option', { hasText: 'Family (2 members)' }).waitFor({ state: 'attached' });
    await sender.fill('#rp-send input[name=amount]', '8.88');
    await sender.fill('#rp-send input[name=shares]', '2');
    await sender.fill('#rp-send input[name=greeting]', 'Happy new year');
    await sender.click('#rp-send button[type=submit]');
    await sender.locator('#packet-title', { hasText: 'Happy new year' }).waitFor();
    await sender.locator('#packet-summary', { hasText: '0 of 2 opened' }).waitFor();
    await expectFitsAndClean(sender, 'rp-sent', shots);
    const code = (await sender.locator('#packet-code').textContent()) ?? '';
    expect(sender.url()).toContain(`?packet=${code}`);

    // The friend opens the packet from its code (the sender's reload below opens it from its link).
    const friend = await logIn('en-GB', FRIEND);
    await friend.click('#action-redpackets');
    await friend.fill('#rp-code input[name=packet_id]', code);
    await friend.click('#rp-code button[type=submit]');
    await friend.locator('#packet-summary', { hasText: `From ${SENDER.name}` }).waitFor();
    await friend.click('#packet-open');
    await friend.locator('#packet-opens', { hasText: 'You' }).waitFor();
    const got = ((await friend.locator('#packet-got .sr-only').textContent()) ?? '').replace(/^You got ¥/, '');
    expect(got).toMatch(/^\d+\.\d{2}$/);
    await friend.locator('#packet-got [aria-hidden]', { hasText: new RegExp(`^¥${got}$`) }).waitFor();
    await expectFitsAndClean(friend, 'rp-opened', shots);
    await friend.click('button[data-lang=zh]');
    await friend.locator('#packet-opens', { hasText: '我' }).waitFor();
    await expectFitsAndClean(friend, 'rp-opened-zh', shots);

    await sender.reload();
    await sender
      .locator('#packet-opens', { hasText: FRIEND.name })
      .filter({ hasText: `¥${got}` })
      .waitFor();
    await sender.locator('#packet-summary', { hasText: '1 of 2 opened' }).waitFor();
    // An equal packet: the amount is each share's.
    await sender.check('#rp-send input[value=equal]');
    await sender.locator('#rp-send label', { hasText: 'Amount of each share' }).waitFor();
    await sender.fill('#rp-send input[name=amount]', '1.00');
    await sender.fill('#rp-send input[name=shares]', '2');
    await sender.click('#rp-send button[type=submit]');
    await sender.locator('#packet-summary', { hasText: 'Equal' }).filter({ hasText: '¥2.00, 0 of 2 opened' }).waitFor();
    const left = (await server.app.redPackets.detail(code, senderId)).remainingMinor;
    expect(left + BigInt(got.replace('.', ''))).toBe(888n);
    await sender.context().close();
    await friend.context().close();
  });
  it('sweeps the balance above a floor and sells to a bound card, paid out on the arrival date', async () => {
    // Saturday 2026-03-07 09:00: 10,100.00 in the wallet, 9,000.00 shares, 900.65 on its way to the wallet.
    const started = await asUser(INVESTOR, 'POST', '/v1/cards', {
      bank: 'ICBC',
      card_no: CARD_C,
      name: 'Li Lei',
      id_no: '110101199001011234',
      phone: INVESTOR.phone,
    });
    const sms = await send(`${bank.url}/sim/sms?phone=${INVESTOR.phone}`, undefined, 'GET');
    const cardId: string = started.body.card_id;
    expect((await asUser(INVESTOR, 'POST', `/v1/cards/${cardId}/confirm`, { sms_code: sms.body.messages.at(-1).code })).status).toBe(200);
    const cardBalance = async () => (await send(`${bank.url}/sim/cards/balance`, undefined, 'POST', { card_no: CARD_C })).body.balance as string;
    const onCard = await cardBalance();
    const card = `ICBC •••• ${CARD_C.slice(-4)}`;

    const page = await logIn('en-GB', INVESTOR);
    await page.click('#action-fund');
    await page.locator('#sweep-state', { hasText: 'Off: nothing is swept.' }).waitFor();
    await page.fill('#fund-sweep input[name=floor]', '2000.005');
    await page.check('#fund-sweep input[name=enabled]');
    await page.click('#fund-sweep button[type=submit]');
    await page.locator('#fund-sweep [role=alert]', { hasText: 'Use at most two decimals.' }).filter({ hasText: 'amount_too_many_decimals' }).waitFor();
    expect((await asUser(INVESTOR, 'GET', '/v1/me/fund-sweep')).body).toMatchObject({ fund_id: null, enabled: false });
    await page.fill('#fund-sweep input[name=floor]', '2000.00');
    await page.click('#fund-sweep button[type=submit]');
    await page.locator('#sweep-saved', { hasText: 'Saved: the sweep is on.' }).waitFor();
    await page.locator('#sweep-state', { hasText: 'On: each day the balance above ¥2,000.00 goes into 余额宝货币基金.' }).waitFor();
    expect((await asUser(INVESTOR, 'GET', '/v1/me/fund-sweep')).body).toMatchObject({ fund_id: 'yuebao', floor: '2000.00', enabled: true });
    await expectFitsAndClean(page, 'fund-sweep-on', shots);

    // To the card: normal only, so the fast choice is disabled while the card is chosen.
    await page.click('#fund-list button.pick');
    await page.check(`#fund-redeem input[name=destination][value=${cardId}]`);
    expect(await page.isDisabled('#fund-redeem input[value=fast]')).toBe(true);
    await page.fill('#fund-redeem input[name=shares]', '500.00');
    await page.click('#fund-redeem button[type=submit]');
    await page.locator('#fund-redeemed', { hasText: `¥500.00 will be paid to ${card} on 2026-03-10.` }).waitFor();
    const toCard = page.locator('#fund-sales li', { hasText: `To ${card}` });
    await toCard.filter({ hasText: '¥500.00' }).filter({ hasText: 'Arrives on 2026-03-10' }).waitFor();
    await page.locator('#fund-sales', { hasText: '2 sales on the way' }).waitFor();
    await page.locator('#holdings', { hasText: '8,500.00 shares' }).waitFor();
    await expectFitsAndClean(page, 'fund-sale-to-card', shots);
    await page.context().close();

    // Saturday's 14:30 sweep takes the 8,100.00 above the floor (confirmed Tuesday, after the weekend);
    // on Tuesday the sales arrive: 900.65 in the wallet, 500.00 paid out to the card.
    await advanceTo('2026-03-10T09:00:00');
    expect((await asUser(INVESTOR, 'GET', '/v1/wallet')).body).toMatchObject({ balance: '2900.65', available: '2900.65' });
    expect((await asUser(INVESTOR, 'GET', '/v1/fund/holdings')).body.holdings).toEqual([
      expect.objectContaining({ fund_id: 'yuebao', confirmed_shares: '16600.00', pending_shares: '0.00' }),
    ]);
    const fen = (decimal: string) => BigInt(decimal.replace('.', ''));
    expect(fen(await cardBalance())).toBe(fen(onCard) + 500_00n);
    const sales = (await asUser(INVESTOR, 'GET', '/v1/fund/redemptions')).body.redemptions;
    expect(sales.map((r: { shares: string; status: string; paid_to: string | null }) => [r.shares, r.status, r.paid_to])).toEqual([
      ['500.00', 'completed', 'card'],
      ['900.65', 'completed', 'wallet'],
      ['100.00', 'completed', 'wallet'],
    ]);

    const later = await logIn('zh-CN', INVESTOR);
    await later.click('#action-fund');
    await later
      .locator('#fund-sales li', { hasText: `已转到 ${card}` })
      .filter({ hasText: '¥500.00' })
      .waitFor();
    await later.locator('#fund-sales li', { hasText: '已转入余额' }).filter({ hasText: '¥900.65' }).waitFor();
    expect(await later.locator('#fund-sales .status.pending').count()).toBe(0);
    await later.locator('#sweep-state', { hasText: '已开启' }).filter({ hasText: '上次转入：2026-03-09' }).waitFor();
    await later.uncheck('#fund-sweep input[name=enabled]');
    await later.click('#fund-sweep button[type=submit]');
    await later.locator('#sweep-saved', { hasText: '已保存：自动转入已关闭。' }).waitFor();
    await later.locator('#sweep-state', { hasText: '未开启' }).waitFor();
    expect((await asUser(INVESTOR, 'GET', '/v1/me/fund-sweep')).body).toMatchObject({ fund_id: 'yuebao', floor: '2000.00', enabled: false });
    await expectFitsAndClean(later, 'fund-sweep-off-zh', shots);
    await later.context().close();
    expect((await verifyStore(server.app.store)).problems).toEqual([]);
  });

  it('asks the risk questionnaire when a user without a profile switches the sweep on, then switches it on', async () => {
    const saver = { phone: '13800000404', name: '孙梅' };
    await person(saver, 'III', 3_000_00n);
    const page = await logIn('zh-CN', saver);
    await page.click('#action-fund');
    await page.locator('#sweep-state', { hasText: '未开启' }).waitFor();
    await page.fill('#fund-sweep input[name=floor]', '1000.00');
    await page.check('#fund-sweep input[name=enabled]');
    await page.click('#fund-sweep button[type=submit]');
    // No profile yet: the questionnaire, not an error; the setting is not saved until it is answered.
    await page.locator('#risk-questionnaire legend', { hasText: '这笔钱可以投资多久' }).waitFor();
    expect(await page.locator('#fund-sweep [role=alert]').count()).toBe(0);
    expect((await asUser(saver, 'GET', '/v1/me/fund-sweep')).body).toMatchObject({ enabled: false });
    await expectFitsAndClean(page, 'fund-sweep-questionnaire-zh', shots);
    for (const group of await page.locator('#risk-questionnaire fieldset').all()) await group.locator('input[type=radio]').nth(1).check();
    await page.click('#risk-questionnaire button[type=submit]');
    // Answered, the same setting goes on by itself.
    await page.locator('#sweep-saved', { hasText: '已保存：自动转入已开启。' }).waitFor();
    await page.locator('#risk-questionnaire').waitFor({ state: 'detached' });
    await page.locator('#sweep-state', { hasText: '已开启' }).waitFor();
    expect((await asUser(saver, 'GET', '/v1/me/fund-sweep')).body).toMatchObject({ fund_id: 'yuebao', floor: '1000.00', enabled: true });
    await page.context().close();
  });
});
