// The merchant service's own pieces over a real SQLite file: the platform key file (0600, reused,
// never printed), the shared nonce store, key validation and the app directory.
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { ulidIds } from '../../engine/ids.ts';
import { LedgerEngine } from '../../engine/ledger-engine.ts';
import { openStore } from '../../store/open-store.ts';
import { openSql } from '../../store/sql.ts';
import { AuditLog } from '../audit/audit-log.ts';
import { IdentityService } from '../identity/identity.ts';
import { MerchantService } from './merchant-apps.ts';
import { loadPlatformKeys, PLATFORM_KEY_FILE } from './platform-keys.ts';
import { verifyNotification } from './protocol/notify.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-merchant-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('platform keys', () => {
  it('generates a 0600 key file once, reuses it, and never shows the private key', () => {
    const dir = tempDir();
    const keys = loadPlatformKeys(dir, {});
    const file = path.join(dir, PLATFORM_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(loadPlatformKeys(dir, {}).publicPem).toBe(keys.publicPem);
    const shown = `${inspect(keys)} ${JSON.stringify(keys)} ${String(keys)}`;
    expect(shown).not.toContain('PRIVATE');
    const signed = keys.signNotification({ trade_no: 't1', trade_status: 'TRADE_SUCCESS' });
    expect(verifyNotification(signed, keys.publicPem)).toBe(true);
  });

  it('takes the key from the environment when set', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = tempDir();
    const keys = loadPlatformKeys(dir, { FORMICA_PLATFORM_PRIVATE_KEY: pem });
    expect(keys.privateKeyPem()).toBe(pem);
    expect(fs.existsSync(path.join(dir, PLATFORM_KEY_FILE))).toBe(false);
  });
});

describe('merchant service', () => {
  async function open() {
    const dir = tempDir();
    const clock = new ManualClock();
    const store = await openStore({ dataDir: dir });
    const db = await openSql({ dataDir: dir });
    const ids = ulidIds(clock);
    const audit = await AuditLog.open(db, clock);
    const merchants = await MerchantService.open({
      db,
      engine: new LedgerEngine(store, clock),
      clock,
      ids,
      users: await IdentityService.open(db, clock, ids, audit),
      audit,
    });
    return { clock, store, db, merchants, close: async () => Promise.all([db.close(), store.close()]) };
  }
  const publicKey = () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }).publicKey;

  it('registers, finds by app id, rotates keys and refuses garbage or weak keys', async () => {
    const { merchants, store, close } = await open();
    const m = await merchants.create({ name: 'Shop', publicKeyPem: publicKey(), feeBps: 60 });
    expect(await merchants.findPublicKey(m.appId)).toContain('BEGIN PUBLIC KEY');
    expect(await merchants.merchant(m.merchantId)).toEqual({
      merchantId: m.merchantId,
      feeBps: 60,
      notifyUrl: undefined,
      settlementAccountId: m.settlementAccountId,
      appId: m.appId,
    });
    expect((await store.getAccount(m.settlementAccountId))?.code).toBe(3001);
    const next = publicKey();
    await merchants.rotateKey(m.merchantId, next);
    expect(await merchants.findPublicKey(m.appId)).toBe(next);
    await expect(merchants.create({ name: 'x', publicKeyPem: 'garbage', feeBps: 0 })).rejects.toMatchObject({ code: 'public_key_invalid' });
    const weak = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    }).publicKey;
    await expect(merchants.create({ name: 'x', publicKeyPem: weak, feeBps: 0 })).rejects.toMatchObject({ code: 'public_key_invalid' });
    await expect(merchants.rotateKey('mch_none', next)).rejects.toMatchObject({ code: 'merchant_not_found' });
    expect(await merchants.findPublicKey('0000')).toBeUndefined();
    await close();
  });

  it('claims a nonce once, reclaims it after expiry, and prunes expired ones', async () => {
    const { merchants, db, close } = await open();
    const nonces = merchants.nonces;
    expect(await nonces.claim('app', 'n1', 1_000, 0)).toBe(true);
    expect(await nonces.claim('app', 'n1', 1_000, 10)).toBe(false);
    expect(await nonces.claim('other', 'n1', 1_000, 10)).toBe(true);
    expect(await nonces.claim('app', 'n1', 2_000, 1_000)).toBe(true);
    expect(await nonces.prune(5_000)).toBe(2);
    expect((await db.get<{ n: bigint }>('SELECT COUNT(*) AS n FROM merchant_nonces'))?.n).toBe(0n);
    await close();
  });
});
