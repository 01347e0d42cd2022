// The web app: its two dictionaries agree, the static route serves it, the first load stays small
// and without the dashboard's charts, the operator routes answer, and in real Chromium at phone size
// a newcomer signs up, verifies, binds a card, sets the PIN, tops up, pays a friend, shows the pay
// code and reads the activity; every wallet screen fits 320-430 px in both languages; axe-core finds
// no violation on any page; an operator registers a merchant and sees the dashboard's charts drawn. The browser part needs Debian's chromium; without it it is skipped, and says so.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../src/engine/clock.ts';
import { DEFAULT_CUSTOMERS } from '../sim/bank/index.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { CARD_A } from '../sim/bank/test-support.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { webRoutes } from '../src/http/routes/web.ts';
import { ensureWebBuild } from '../web/build.ts';
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from '../web/first-load.ts';
import { en } from '../web/src/i18n/en.ts';
import { formatMoney } from '../web/src/money.ts';
import { zh } from '../web/src/i18n/zh.ts';
import { CHROMIUM, hasChromium, launchChromium, payFriend, topUpFromCard } from './support/browser.ts';
import { axeViolations, sidewaysOverflow } from './support/axe.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';
import { enrollPerson, latestSmsCode } from './support/users.ts';

if (!hasChromium) console.warn(`web app browser test skipped: no ${CHROMIUM} (apt-get install chromium)`);

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('web app dictionaries', () => {
  it('zh and en have the same keys and the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key].trim(), key).not.toBe('');
    }
  });
});

describe('web app static route', () => {
  it('answers 503 before a build, then serves files and index.html for client routes', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-web-'));
    const server = Fastify();
    await server.register(webRoutes(root));
    try {
      const missing = await server.inject({ url: '/app/wallet' });
      expect(missing.statusCode).toBe(503);
      expect(missing.json().code).toBe('web_app_not_built');
      fs.mkdirSync(path.join(root, 'assets'));
      fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
      fs.writeFileSync(path.join(root, 'assets', 'app-1.js'), 'console.log(1)');
      const page = await server.inject({ url: '/app/dashboard' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['cache-control']).toBe('no-cache');
      expect(page.body).toContain('id="root"');
      const asset = await server.inject({ url: '/app/assets/app-1.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['cache-control']).toContain('immutable');
      expect((await server.inject({ url: '/app/..%2f..%2fetc%2fpasswd' })).body).toContain('id="root"');
      expect((await server.inject({ url: '/' })).headers.location).toBe('/app/');
    } finally {
      await server.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

function rsaPublicKey(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

describe('operator dashboard and merchant list routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it('pages merchants and refuses callers without the operator token', async () => {
    for (const name of ['A Tea', 'B Noodles', 'C Books']) {
      expect((await server.call('POST', '/v1/admin/merchants', { name, public_key: rsaPublicKey(), fee_bps: 60 })).status).toBe(201);
    }
    const first = await server.call('GET', '/v1/admin/merchants?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.merchants.map((m: { name: string }) => m.name)).toEqual(['A Tea', 'B Noodles']);
    const second = await server.call('GET', `/v1/admin/merchants?limit=2&after=${first.body.next}`);
    expect(second.body.merchants.map((m: { name: string }) => m.name)).toEqual(['C Books']);
    expect(second.body.next).toBeNull();
    expect((await fetch(`${server.url}/v1/admin/dashboard`)).status).toBe(401);
  });

  it('counts wallet transfers per minute and reports totals as decimal strings', async () => {
    const { app } = server;
    const users = [];
    for (const phone of ['13700000001', '13700000002']) {
      const user = await app.identity.register({ phone, password: 'pw-123456', name: phone });
      await app.wallet.openWallet(user.id);
      await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 't', verifiedBy: 'operator' });
      users.push(user);
    }
    await app.wallet.adjust({ userId: users[0].id, amountMinor: 10_000n, currency: 'CNY', direction: 'credit', reason: 'test', requestId: 'fund-dash' });
    await app.wallet.transfer(users[0].id, { toPhone: '13700000002', amountMinor: 250n, currency: 'CNY', requestId: 'dash-1', memo: '' });
    app.router.setFee('icbc', 0);
    app.router.record('icbc', 'succeeded');
    app.router.record('icbc', 'failed');
    const { status, body } = await server.call('GET', '/v1/admin/dashboard');
    expect(status).toBe(200);
    expect(body.activity.transfers).toHaveLength(60);
    expect(body.activity.transfers.at(-1)).toBe(1);
    expect(body.channels).toContainEqual({ bank: 'icbc', success_rate: 0.5, samples: 2, fee_bps: 0 });
    expect(body.ledger.batch_events.le.at(-1)).toBe('+Inf');
    expect(body.ledger.batch_events.count).toBeGreaterThan(0);
    const cny = body.totals.find((t: { currency: string }) => t.currency === 'CNY');
    expect(cny).toMatchObject({ wallets: '100.00', open_suspense: '0.00' });
  });
});

describe('web app build', () => {
  it("keeps the dashboard's charts and the fund page out of the first load, and the first load under 150 KB gzipped", async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'web', 'dist');
    const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
    const firstLoad = [...html.matchAll(/(?:src|href)="\/app\/(assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(firstLoad.some((f) => f.endsWith('.js'))).toBe(true);
    const code = firstLoad.map((f) => fs.readFileSync(path.join(dist, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/uplot/i);
    // The fund page is a chunk of its own, loaded when opened.
    expect(fs.readdirSync(path.join(dist, 'assets')).some((f) => /^fund-[\w-]+\.js$/.test(f))).toBe(true);
    expect(firstLoad.some((f) => /^assets\/fund-/.test(f))).toBe(false);
    expect(measureFirstLoad(dist).gzipBytes).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
  });
});

const ALICE = { phone: '13800000101', password: 'alice-password', name: 'Alice' };
const BOB = { phone: '13800000102', password: 'bob-password', name: '李小明' };
const NEWCOMER = { phone: '13800000199', password: 'newcomer-password', name: '张三丰', idNo: '110101199505050055' };
const PHONE = { width: 390, height: 844 };
const WALLET_SCREENS = ['', 'paycode', 'pay', 'topup', 'withdraw', 'activity', 'me', 'setup'];

describe.skipIf(!hasChromium)('web app in Chromium', () => {
  let server: TestServer;
  let bank: RunningBankSimulator;
  let browser: Browser;
  const keepShots = process.env.FORMICA_KEEP_SCREENSHOTS === '1';
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-web-app-'));

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    // The newcomer is a customer of the banks and known to the identity authority.
    bank = await startBankSimulator({ clock: systemClock, port: 0, customers: [...DEFAULT_CUSTOMERS, NEWCOMER] });
    server = await startTestServer({ bankUrl: bank.url });
    await enrollPerson(server, { name: NEWCOMER.name, idNo: NEWCOMER.idNo });
    const { app } = server;
    for (const person of [ALICE, BOB]) {
      const user = await app.identity.register(person);
      await app.wallet.openWallet(user.id);
      await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
      if (person === ALICE)
        await app.wallet.adjust({
          userId: user.id,
          amountMinor: 123_456_78n,
          currency: 'CNY',
          direction: 'credit',
          reason: 'test funds',
          requestId: 'fund-alice',
        });
    }
    for (const [bankCode, outcomes] of [
      ['icbc', 'sssssssssf'],
      ['ccb', 'sssfsfu'],
    ] as const) {
      app.router.setFee(bankCode, 0);
      for (const o of outcomes) app.router.record(bankCode, o === 's' ? 'succeeded' : o === 'f' ? 'failed' : 'unknown');
    }
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bank?.close();
    if (keepShots) console.log(`web app screenshots in ${shots}`);
    else fs.rmSync(shots, { recursive: true, force: true });
  });

  const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  /** The page fits its width and axe finds nothing; `name` says which page failed. */
  async function checkPage(page: Page, name: string): Promise<void> {
    expect(await sidewaysOverflow(page), `${name} scrolls sideways`).toBeLessThanOrEqual(0);
    expect(await axeViolations(page), `${name}: axe`).toEqual([]);
  }

  async function logIn(page: Page, person: { phone: string; password: string }): Promise<void> {
    await page.goto(`${server.url}/app/`);
    await page.fill('input[name=phone]', person.phone);
    await page.fill('input[name=password]', person.password);
    await page.click('#login button[type=submit]');
    await page.locator('[data-testid=balance]', { hasText: '¥' }).waitFor();
  }

  it('at phone size: signs up, verifies, binds a card, sets the PIN, tops up, pays a friend, shows the pay code and the activity', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: PHONE });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/`);
    await checkPage(page, 'login');
    await page.click('#to-signup');
    await page.fill('input[name=phone]', NEWCOMER.phone);
    await page.fill('input[name=name]', NEWCOMER.name);
    await page.fill('input[name=password]', NEWCOMER.password);
    await checkPage(page, 'signup');
    await page.click('#signup button[type=submit]');

    await page.locator('#setup').waitFor();
    // A wrong code: the carrier's verdict is shown, and nothing is raised.
    await page.fill('input[name=verify_sms_code]', '000000');
    await page.click('button[data-source=carrier]');
    await page.locator('#verify-refused', { hasText: 'sms_code_wrong' }).waitFor();
    await page.fill('input[name=verify_sms_code]', await latestSmsCode(server, NEWCOMER.phone));
    await page.fill('input[name=verify_id_no]', NEWCOMER.idNo);
    await page.fill('input[name=valid_until]', '2099-12-31');
    for (const source of ['carrier', 'public_security', 'id_document']) {
      await page.click(`button[data-source=${source}]`);
      await page.locator(`button[data-source=${source}]`).waitFor({ state: 'detached' });
    }
    await page.locator('#verify-level', { hasText: 'II' }).waitFor();
    await page.fill('input[name=card_no]', CARD_A);
    await page.fill('input[name=id_no]', NEWCOMER.idNo);
    await page.click('#bind-start button[type=submit]');
    await page.locator('#bind-confirm').waitFor();
    const sms = (await (await fetch(`${bank.url}/sim/sms?phone=${NEWCOMER.phone}`)).json()) as { messages: { code: string }[] };
    await page.fill('input[name=sms_code]', sms.messages[0].code);
    await page.click('#bind-confirm button[type=submit]');
    await page.locator('#bind', { hasText: `•••• ${CARD_A.slice(-4)}` }).waitFor();
    await page.fill('input[name=pin_password]', NEWCOMER.password);
    await page.fill('input[name=new_pin]', '246810');
    await page.fill('input[name=repeat_pin]', '135790');
    await page.click('#pin button[type=submit]');
    await page.locator('#pin [role=alert]', { hasText: 'The two PINs differ' }).waitFor();
    await page.fill('input[name=repeat_pin]', '246810');
    await page.click('#pin button[type=submit]');
    await page.locator('#pin [role=status]').waitFor();
    await checkPage(page, 'setup');
    await shoot(page, 'setup-en-390');

    await page.click('#setup-finish');
    await page.locator('[data-testid=balance]', { hasText: '¥0.00' }).waitFor();
    await topUpFromCard(page, '100.00');
    await checkPage(page, 'topup');

    await payFriend(page, server.url, { phone: BOB.phone, amount: '12.34', memo: 'noodles', pin: '246810' });
    await page.fill('input[name=to_phone]', '13999999999');
    await page.fill('input[name=amount]', '1.00');
    await page.click('#pay button[type=submit]');
    await page.locator('#pay [role=alert]', { hasText: 'no user with phone 13999999999' }).waitFor();
    expect(await page.locator('#pay [role=alert] code').textContent()).toBe('recipient_not_found');
    await checkPage(page, 'pay');

    await page.goto(`${server.url}/app/paycode`);
    const qr = page.locator('canvas[data-testid=qr]');
    await qr.waitFor();
    expect(await qr.getAttribute('data-value')).toMatch(/^28\d{16}$/);
    expect((await qr.boundingBox())!.width).toBeGreaterThan(150);
    expect(await page.locator('svg[data-testid=barcode] rect').count()).toBeGreaterThan(10);
    await checkPage(page, 'paycode');
    await shoot(page, 'paycode-en-390');

    await page.goto(`${server.url}/app/activity`);
    const activity = page.locator('[data-testid=activity] li');
    await activity.first().waitFor();
    expect(await activity.evaluateAll((items) => items.map((li) => [li.getAttribute('data-kind'), li.getAttribute('data-status')]))).toEqual([
      ['transfer_out', 'completed'],
      ['topup', 'completed'],
    ]);
    expect(await activity.first().textContent()).toMatch(/To 李\*明 138\*\*\*\*0102.*noodles.*-¥12\.34/);
    await checkPage(page, 'activity');
    await shoot(page, 'activity-en-390');

    await page.goto(`${server.url}/app/`);
    await page.locator('[data-testid=balance]', { hasText: '¥87.66' }).waitFor();
    await page.click('#toggle-balance');
    await page.locator('[data-testid=balance]', { hasText: '••••••' }).waitFor();
    await page.click('#toggle-balance');
    await checkPage(page, 'home');
    await shoot(page, 'home-en-390');

    // Logging out ends the session on the server: the token the tab held is refused from then on.
    const token = String(await page.evaluate('sessionStorage.getItem("formica.session")'));
    await page.goto(`${server.url}/app/me`);
    await page.click('#logout');
    await page.locator('#login').waitFor();
    await expect.poll(async () => (await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    await context.close();

    const bob = (await server.app.identity.findByPhone(BOB.phone))!;
    expect((await server.app.wallet.summary(bob.id)).balanceMinor).toBe(1234n);
  });

  it('switches language, keeps every wallet screen within 320 to 430 px in both languages, and axe finds nothing', async () => {
    for (const width of [320, 430]) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width, height: 800 } });
      const page = await context.newPage();
      await logIn(page, ALICE);
      await page.locator('#action-pay', { hasText: '转账' }).waitFor();
      for (const lang of ['zh', 'en'] as const) {
        await page.click(`button[data-lang=${lang}]`);
        expect(await page.getAttribute('html', 'lang')).toBe(lang === 'zh' ? 'zh-CN' : 'en');
        for (const screen of WALLET_SCREENS) {
          await page.goto(`${server.url}/app/${screen}`);
          await page.locator('main h1').first().waitFor({ state: 'attached' });
          await page.waitForLoadState('networkidle');
          await checkPage(page, `${lang} ${width}px /app/${screen}`);
          // A label squeezed to one character per line has as many lines as characters.
          const labels = await page.locator('.action-label, .tabbar span').evaluateAll((els) =>
            els.map((e) => ({
              text: e.textContent ?? '',
              lines: Math.round(
                e.getBoundingClientRect().height /
                  Number.parseFloat((globalThis as unknown as { getComputedStyle(e: unknown): { lineHeight: string } }).getComputedStyle(e).lineHeight),
              ),
            })),
          );
          for (const { text, lines } of labels) {
            if ([...text].length > 1) expect(lines, `${lang} ${width}px /app/${screen}: "${text}" wraps one character per line`).toBeLessThan([...text].length);
          }
        }
      }
      await page.click('button[data-lang=zh]');
      await page.goto(`${server.url}/app/`);
      await page.locator('#action-pay', { hasText: '转账' }).waitFor();
      if (width === 320) await shoot(page, 'home-zh-320');
      await context.close();
    }
    // Two widths, two languages, every wallet screen through axe: minutes on a busy machine.
  }, 300_000);

  it('opens the dashboard with the operator token and draws its charts', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    await page.locator('h1', { hasText: '运营看板' }).waitFor();
    await checkPage(page, 'operator sign-in');
    await page.fill('input[name=operator_token]', 'not-the-token');
    await page.click('#operator button[type=submit]');
    await page.locator('#operator [role=alert]').waitFor();
    await page.fill('input[name=operator_token]', server.token);
    await page.click('#operator button[type=submit]');
    for (const id of ['chart-activity', 'chart-channels']) await page.locator(`#${id} canvas`).waitFor();
    const wallets = (await server.call('GET', '/v1/admin/dashboard')).body.totals.find((t: { currency: string }) => t.currency === 'CNY').wallets;
    await page.locator('#totals-CNY', { hasText: formatMoney(wallets, 'CNY') }).waitFor();
    // Painted (non-transparent) pixels per canvas; the project's types carry no DOM, hence the shape.
    type Canvas = {
      width: number;
      height: number;
      getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
    };
    const drawn = await page.$$eval('canvas', (elements) =>
      elements.map((element) => {
        const canvas = element as unknown as Canvas;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
        return painted;
      }),
    );
    // Activity, red packets, channels, batch sizes, commit times; the credit panel's NPL ratio and its
    // two bucket charts (its history chart waits for a day of history).
    expect(drawn.length).toBe(8);
    for (const painted of drawn) expect(painted).toBeGreaterThan(500);
    await checkPage(page, 'dashboard');
    await shoot(page, 'dashboard-zh');

    await page.click('button[data-lang=en]');
    await page.locator('#chart-channels h2', { hasText: 'Payment success rate by bank channel' }).waitFor();
    await page.locator('#chart-channels canvas').waitFor();
    await context.close();
  });

  it('registers a merchant in the console and lists it, at desktop and phone size', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/merchants`);
    await page.fill('input[name=operator_token]', server.token);
    await page.click('#operator button[type=submit]');
    await page.locator('#merchants').waitFor();
    await page.fill('input[name=merchant_name]', 'Tea House');
    await page.fill('textarea[name=public_key]', 'not a key');
    await page.click('#register-merchant button[type=submit]');
    await page.locator('#register-merchant [role=alert]').waitFor();
    await page.fill('input[name=merchant_name]', 'Tea House');
    await page.fill('textarea[name=public_key]', rsaPublicKey());
    await page.click('#register-merchant button[type=submit]');
    await page.locator('#registered', { hasText: 'BEGIN PUBLIC KEY' }).waitFor();
    const appId = (await page.locator('#registered dd code').first().textContent())!;
    expect(appId).toMatch(/^\d{16}$/);
    await page.locator('#merchants td', { hasText: appId }).waitFor();
    await checkPage(page, 'merchants');
    await page.setViewportSize(PHONE);
    await checkPage(page, 'merchants at phone size');
    await shoot(page, 'merchants-en-390');
    await context.close();
  });
});
