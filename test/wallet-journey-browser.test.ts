// The "done when" journey of the phone-first wallet, in real Chromium at 390 x 844 and 1280 x 800, in
// Chinese and in English: a newcomer signs up, verifies, binds a card, sets the PIN, tops up, pays a
// friend, pays a merchant's precreate QR code through the scan flow (the cashier, the PIN pad), and
// reads an activity list that matches what they did, opening a line and its PDF receipt. Every page
// must not scroll sideways at 360 px and axe-core must find nothing serious or critical on it.
// Screenshots are kept under test-artifacts/journey (gitignored). Needs Debian's chromium.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { DEFAULT_CUSTOMERS } from '../sim/bank/index.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A, CARD_B, CARD_C } from '../sim/bank/test-support.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { rsaKeyPair } from '../src/modules/merchant/test-keys.ts';
import { ensureWebBuild } from '../web/build.ts';
import { type AxeViolation, axeViolations, sidewaysOverflow } from './support/axe.ts';
import { CHROMIUM, hasChromium, launchChromium, payFriend, topUpFromCard } from './support/browser.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { enrollPerson, latestSmsCode } from './support/users.ts';

if (!hasChromium) console.warn(`wallet journey browser test skipped: no ${CHROMIUM} (apt-get install chromium)`);

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test-artifacts', 'journey');
const FRIEND = { phone: '13800000302', password: 'friend-password', name: '李小明' };
const PIN = '246810';
/** A whole journey: some twenty pages, each checked at 360 px and by axe. */
const JOURNEY_TIMEOUT_MS = 300_000;

interface Variant {
  readonly lang: 'zh' | 'en';
  readonly viewport: { width: number; height: number };
  readonly person: { phone: string; password: string; name: string; idNo: string };
  readonly card: string;
}

const VARIANTS: readonly Variant[] = [
  {
    lang: 'zh',
    viewport: { width: 390, height: 844 },
    person: { phone: '13800000311', password: 'journey-pass-1', name: '张三丰', idNo: '110101199505050311' },
    card: CARD_A,
  },
  {
    lang: 'en',
    viewport: { width: 390, height: 844 },
    person: { phone: '13800000312', password: 'journey-pass-2', name: 'Wang Fang', idNo: '110101199505050312' },
    card: CARD_B,
  },
  {
    lang: 'zh',
    viewport: { width: 1280, height: 800 },
    person: { phone: '13800000313', password: 'journey-pass-3', name: '陈小红', idNo: '110101199505050313' },
    card: CARD_C,
  },
  {
    lang: 'en',
    viewport: { width: 1280, height: 800 },
    person: { phone: '13800000314', password: 'journey-pass-4', name: 'Zhao Lei', idNo: '110101199505050314' },
    card: '6212260000000019',
  },
];

const WORDS = {
  zh: { payBalance: '余额支付', paid: '支付成功' },
  en: { payBalance: 'Pay from balance', paid: 'Payment succeeded' },
};

/** Serious or critical findings only: what the bar is. */
const serious = (violations: AxeViolation[]) => violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

describe.skipIf(!hasChromium)('wallet journey in Chromium', () => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let browser: Browser;
  let merchantId: string;

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    fs.mkdirSync(SHOTS, { recursive: true });
    const people = VARIANTS.map((v) => ({ name: v.person.name, idNo: v.person.idNo }));
    bank = await startBankSimulator({ clock: systemClock, port: 0, customers: [...DEFAULT_CUSTOMERS, ...people] });
    // The wall clock: each step of the journey happens after the one before, as the activity shows it.
    server = await startTestServer({ bankUrl: bank.url, clock: systemClock });
    for (const person of people) await enrollPerson(server, person);
    const friend = await server.app.identity.register(FRIEND);
    await server.app.wallet.openWallet(friend.id);
    await server.app.identity.addEvidence(friend.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
    merchantId = (await server.app.merchants.create({ name: 'Tea House', publicKeyPem: rsaKeyPair().publicKey, feeBps: 60, notifyUrl: undefined })).merchantId;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bank?.close();
  });

  for (const variant of VARIANTS) {
    const tag = `${variant.lang}-${variant.viewport.width}`;

    /** No sideways scroll at 360 px, nothing serious for axe, and a screenshot at the variant's size. */
    async function checkPage(page: Page, name: string): Promise<void> {
      await page.waitForLoadState('networkidle');
      await page.setViewportSize({ width: 360, height: 800 });
      expect(await sidewaysOverflow(page), `${tag} ${name} scrolls sideways at 360 px`).toBeLessThanOrEqual(0);
      await page.setViewportSize(variant.viewport);
      expect(serious(await axeViolations(page)), `${tag} ${name}: axe`).toEqual([]);
      await page.screenshot({ path: path.join(SHOTS, `${tag}-${name}.png`), fullPage: true });
    }

    it(
      `${tag}: signs up, verifies, binds a card, tops up, pays a friend and a merchant's QR code, and reads the activity`,
      async () => {
        const { person } = variant;
        const context = await browser.newContext({ locale: variant.lang === 'zh' ? 'zh-CN' : 'en-GB', viewport: variant.viewport });
        const page = await context.newPage();
        await page.goto(`${server.url}/app/`);
        expect(await page.getAttribute('html', 'lang')).toBe(variant.lang === 'zh' ? 'zh-CN' : 'en');
        await checkPage(page, 'login');
        await page.click('#to-signup');
        await page.fill('input[name=phone]', person.phone);
        await page.fill('input[name=name]', person.name);
        await page.fill('input[name=password]', person.password);
        await checkPage(page, 'signup');
        await page.click('#signup button[type=submit]');

        await page.locator('#setup').waitFor();
        await verifyNewcomer(page, person);
        await bindCard(page, person, variant.card);
        await page.fill('input[name=pin_password]', person.password);
        await page.fill('input[name=new_pin]', PIN);
        await page.fill('input[name=repeat_pin]', PIN);
        await page.click('#pin button[type=submit]');
        await page.locator('#pin [role=status]').waitFor();
        await checkPage(page, 'setup');

        await page.click('#setup-finish');
        await page.locator('[data-testid=balance]', { hasText: '¥0.00' }).waitFor();
        await checkPage(page, 'home');
        await topUpFromCard(page, '100.00');
        await checkPage(page, 'topup');

        await payFriend(page, server.url, { phone: FRIEND.phone, amount: '12.34', memo: 'noodles', pin: PIN });
        await checkPage(page, 'pay-friend');

        // The merchant's precreate QR code, scanned into the wallet: the test server's public address
        // is only known once it listens, so the code's path is put on it.
        const { trade, qrCode } = await server.app.trades.precreate(merchantId, {
          outTradeNo: `journey-${tag}`,
          subject: 'Longjing tea',
          totalAmountMinor: 2_580n,
        });
        await page.goto(`${server.url}/app/`);
        await page.click('#action-scan');
        await checkPage(page, 'scan');
        await page.fill('input[name=qr_link]', 'https://elsewhere.example/checkout/1');
        await page.click('#scan button[type=submit]');
        await page.locator('#scan [role=alert]').waitFor();
        await page.fill('input[name=qr_link]', `${server.url}${new URL(qrCode).pathname}`);
        await page.click('#scan button[type=submit]');
        await page.waitForURL(`**/checkout/${trade.tradeNo}`);
        expect(await page.locator('h1#merchant').textContent()).toBe('Tea House');
        expect(await page.locator('#amount').textContent()).toContain('¥25.80');
        const balanceChoice = page.locator('#choices .choice', { hasText: WORDS[variant.lang].payBalance });
        await balanceChoice.waitFor();
        await checkPage(page, 'cashier');
        await balanceChoice.click();
        await page.locator('#pinpad').waitFor();
        await checkPage(page, 'cashier-pin');
        for (const digit of PIN) await page.click(`#pinpad button[data-key="${digit}"]`);
        await page.locator('#message', { hasText: WORDS[variant.lang].paid }).waitFor({ timeout: 15_000 });
        await checkPage(page, 'cashier-paid');
        expect((await server.app.trades.query(merchantId, { tradeNo: trade.tradeNo })).status).toBe('TRADE_SUCCESS');

        await page.goto(`${server.url}/app/activity`);
        const lines = page.locator('[data-testid=activity] li');
        await lines.nth(2).waitFor();
        expect(await lines.evaluateAll((items) => items.map((li) => [li.getAttribute('data-kind'), li.getAttribute('data-status')]))).toEqual([
          ['payment', 'completed'],
          ['transfer_out', 'completed'],
          ['topup', 'completed'],
        ]);
        const texts = await lines.allTextContents();
        expect(texts[0]).toMatch(/Tea House.*-¥25\.80/);
        expect(texts[1]).toMatch(/李\*明 138\*\*\*\*0302.*noodles.*-¥12\.34/);
        expect(texts[2]).toMatch(/\+¥100\.00/);
        await checkPage(page, 'activity');

        await page.selectOption('select[name=kind]', 'topup');
        await expect.poll(() => lines.count()).toBe(1);
        await page.selectOption('select[name=kind]', '');
        await expect.poll(() => lines.count()).toBe(3);

        await lines.first().locator('a').click();
        await page.locator('#detail-amount', { hasText: '-¥25.80' }).waitFor();
        await checkPage(page, 'activity-detail');
        const [receipt] = await Promise.all([page.waitForEvent('download'), page.click('#download-receipt')]);
        expect(receipt.suggestedFilename()).toMatch(/^formica-receipt-tp_\w+\.pdf$/);
        const pdf = fs.readFileSync((await receipt.path())!);
        expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
        await context.close();

        const me = (await server.app.identity.findByPhone(person.phone))!;
        expect((await server.app.wallet.summary(me.id)).balanceMinor).toBe(10_000n - 1_234n - 2_580n);
      },
      JOURNEY_TIMEOUT_MS,
    );
  }

  /**
   * Verification as the setup screen asks for it: the phone's SMS code (carrier), then the id number
   * to the identity authority and the document, each checked by its source, up to level II.
   */
  async function verifyNewcomer(page: Page, person: Variant['person']): Promise<void> {
    await page.fill('input[name=verify_sms_code]', await latestSmsCode(server, person.phone));
    await page.fill('input[name=verify_id_no]', person.idNo);
    await page.fill('input[name=valid_until]', '2099-12-31');
    for (const source of ['carrier', 'public_security', 'id_document']) {
      await page.click(`button[data-source=${source}]`);
      await page.locator(`button[data-source=${source}]`).waitFor({ state: 'detached' });
    }
    await page.locator('#verify-level', { hasText: 'II' }).waitFor();
  }

  /** Binds the card in the newcomer's own name with the bank's SMS code. */
  async function bindCard(page: Page, person: Variant['person'], cardNo: string): Promise<void> {
    await page.fill('input[name=card_no]', cardNo);
    await page.fill('input[name=id_no]', person.idNo);
    await page.click('#bind-start button[type=submit]');
    await page.locator('#bind-confirm').waitFor();
    const sms = (await (await fetch(`${bank.url}/sim/sms?phone=${person.phone}`)).json()) as { messages: { code: string }[] };
    await page.fill('input[name=sms_code]', sms.messages[0].code);
    await page.click('#bind-confirm button[type=submit]');
    await page.locator('#bind', { hasText: `•••• ${cardNo.slice(-4)}` }).waitFor();
  }
});
