// The web app: its two dictionaries agree, the static route serves it, the operator routes behind
// the dashboard and the merchant console answer, and in real Chromium a user logs in, sees the
// balance, pays a friend, switches language, and an operator registers a merchant and sees the
// dashboard's charts drawn. The browser part needs Debian's chromium; without it it is skipped, and says so.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { webRoutes } from '../src/http/routes/web.ts';
import { ensureWebBuild } from '../web/build.ts';
import { en } from '../web/src/i18n/en.ts';
import { zh } from '../web/src/i18n/zh.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
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

const ALICE = { phone: '13800000101', password: 'alice-password', name: 'Alice' };
const BOB = { phone: '13800000102', password: 'bob-password', name: 'Bob' };

describe.skipIf(!hasChromium)('web app in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  const keepShots = process.env.FORMICA_KEEP_SCREENSHOTS === '1';
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-web-app-'));

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    server = await startTestServer();
    const { app } = server;
    for (const person of [ALICE, BOB]) {
      const user = await app.identity.register(person);
      await app.wallet.openWallet(user.id);
      await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: 'test', verifiedBy: 'operator' });
      if (person === ALICE) await app.wallet.adjust({ userId: user.id, amountMinor: 123_456_78n, currency: 'CNY', direction: 'credit', reason: 'test funds', requestId: 'fund-alice' });
    }
    for (const [bank, outcomes] of [['icbc', 'sssssssssf'], ['ccb', 'sssfsfu']] as const) {
      app.router.setFee(bank, 0);
      for (const o of outcomes) app.router.record(bank, o === 's' ? 'succeeded' : o === 'f' ? 'failed' : 'unknown');
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (keepShots) console.log(`web app screenshots in ${shots}`);
    else fs.rmSync(shots, { recursive: true, force: true });
  });

  const shoot = (page: Page, name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

  it('logs in, shows the balance, pays a friend, shows API errors, and switches language', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/`);
    await page.fill('input[name=phone]', ALICE.phone);
    await page.fill('input[name=password]', 'wrong-password');
    await page.click('#login button[type=submit]');
    await page.locator('#login [role=alert]').waitFor();
    expect(await page.locator('#login [role=alert]').textContent()).toMatch(/unauthorized|password/i);

    await page.fill('input[name=password]', ALICE.password);
    await page.click('#login button[type=submit]');
    await page.locator('[data-testid=balance]', { hasText: '¥123,456.78' }).waitFor();

    await page.fill('input[name=to_phone]', BOB.phone);
    await page.fill('input[name=amount]', '12.34');
    await page.fill('input[name=memo]', 'noodles');
    await page.click('#pay button[type=submit]');
    await page.locator('#pay-done', { hasText: '¥12.34' }).waitFor();
    await page.locator('[data-testid=balance]', { hasText: '¥123,444.44' }).waitFor();
    await page.locator('#statement td', { hasText: 'noodles' }).waitFor();

    await page.fill('input[name=to_phone]', '13999999999');
    await page.fill('input[name=amount]', '1.00');
    await page.click('#pay button[type=submit]');
    await page.locator('#pay [role=alert]', { hasText: 'no user with phone 13999999999' }).waitFor();
    expect(await page.locator('#pay [role=alert] code').textContent()).toBe('recipient_not_found');
    await shoot(page, 'wallet-en');

    await page.click('button[data-lang=zh]');
    await page.locator('h1', { hasText: '钱包' }).waitFor();
    await page.reload();
    await page.locator('h1', { hasText: '钱包' }).waitFor();
    await page.locator('#pay h2', { hasText: '转账给朋友' }).waitFor();
    await page.locator('[data-testid=balance]', { hasText: '¥123,444.44' }).waitFor();
    await shoot(page, 'wallet-zh');
    await context.close();

    const bob = await server.app.identity.login({ phone: BOB.phone, password: BOB.password });
    expect((await server.app.wallet.summary(bob.userId)).balanceMinor).toBe(1234n);
  });

  it('opens the dashboard with the operator token and draws its charts', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/app/dashboard`);
    await page.locator('h1', { hasText: '运营看板' }).waitFor();
    await page.fill('input[name=operator_token]', 'not-the-token');
    await page.click('#operator button[type=submit]');
    await page.locator('#operator [role=alert]').waitFor();
    await page.fill('input[name=operator_token]', server.token);
    await page.click('#operator button[type=submit]');
    for (const id of ['chart-activity', 'chart-channels']) await page.locator(`#${id} canvas`).waitFor();
    await page.locator('#totals-CNY', { hasText: '¥123,456.78' }).waitFor();
    // Painted (non-transparent) pixels per canvas; the project's types carry no DOM, hence the shape.
    type Canvas = { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
    const drawn = await page.$$eval('canvas', (elements) =>
      elements.map((element) => {
        const canvas = element as unknown as Canvas;
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted += 1;
        return painted;
      }),
    );
    expect(drawn.length).toBe(4);
    for (const painted of drawn) expect(painted).toBeGreaterThan(500);
    await shoot(page, 'dashboard-zh');

    await page.click('button[data-lang=en]');
    await page.locator('#chart-channels h2', { hasText: 'Payment success rate by bank channel' }).waitFor();
    await page.locator('#chart-channels canvas').waitFor();
    await shoot(page, 'dashboard-en');
    await context.close();
  });

  it('registers a merchant in the console and lists it', async () => {
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
    await shoot(page, 'merchants-en');
    await context.close();
  });
});
