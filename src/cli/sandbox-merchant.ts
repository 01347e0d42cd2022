// The merchant app `formica sandbox` registers: its own RSA key pair, the private half in a 0600
// file of the data dir, and the alipay-sdk configuration a developer pastes. A restart on the same
// data dir finds the same app and key.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Formica } from '../app.ts';
import { readOrCreateSecretFile } from '../engine/secret-file.ts';

const KEY_FILE = 'sandbox-merchant-private-key.pem';
const APP_FILE = 'sandbox-merchant.json';
const SANDBOX_FEE_BPS = 60;

export interface SandboxMerchant {
  readonly appId: string;
  readonly privateKeyFile: string;
}

export async function ensureSandboxMerchant(app: Formica, dataDir: string): Promise<SandboxMerchant> {
  const privateKeyFile = path.join(dataDir, KEY_FILE);
  // PKCS#1, the SDK's default key type: the printed configuration needs no keyType.
  const privateKeyPem = readOrCreateSecretFile(
    privateKeyFile,
    () =>
      generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      }).privateKey,
  );
  const appFile = path.join(dataDir, APP_FILE);
  const known = fs.existsSync(appFile) ? (JSON.parse(fs.readFileSync(appFile, 'utf8')) as { app_id: string }).app_id : undefined;
  if (known && (await app.merchants.byAppId(known))) return { appId: known, privateKeyFile };
  const publicKeyPem = createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
  const merchant = await app.merchants.create({ name: 'Sandbox Shop', publicKeyPem, feeBps: SANDBOX_FEE_BPS });
  fs.writeFileSync(appFile, JSON.stringify({ app_id: merchant.appId }));
  return { appId: merchant.appId, privateKeyFile };
}

/** The configuration as code to paste; every value is a JSON string literal, so it is valid JavaScript. */
export function alipaySdkConfiguration(merchant: SandboxMerchant, platformPublicKeyPem: string, baseUrl: string): string[] {
  const literal = (value: string) => JSON.stringify(value);
  return [
    "import fs from 'node:fs';",
    "import { AlipaySdk } from 'alipay-sdk';",
    'const alipaySdk = new AlipaySdk({',
    `  appId: ${literal(merchant.appId)},`,
    `  privateKey: fs.readFileSync(${literal(merchant.privateKeyFile)}, 'ascii'),`,
    `  alipayPublicKey: ${literal(platformPublicKeyPem.trim())},`,
    `  gateway: ${literal(`${baseUrl}/gateway.do`)},`,
    `  endpoint: ${literal(baseUrl)},`,
    '});',
  ];
}
