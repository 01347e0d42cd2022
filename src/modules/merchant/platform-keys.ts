// Formica's own RSA 2048 key pair: signs every merchant API response and notification. The private
// key comes from FORMICA_PLATFORM_PRIVATE_KEY or a 0600 file in the data dir, generated at first
// start; it is held in a private field so that logging or serializing the holder never shows it.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import { readOrCreateSecretFile } from '../../engine/secret-file.ts';
import { signNotification } from './protocol/notify.ts';

export const PLATFORM_KEY_FILE = 'platform-private-key.pem';
export const PLATFORM_KEY_ENV = 'FORMICA_PLATFORM_PRIVATE_KEY';

/** The same shape the trade service signs its notifications with. */
export type NotificationSigner = (fields: Record<string, string>) => Record<string, string>;

export class PlatformKeys {
  readonly #privateKeyPem: string;
  readonly publicPem: string;

  constructor(privateKeyPem: string) {
    // Parsing here refuses a broken key at start, not at the first signature.
    const key = createPrivateKey(privateKeyPem);
    this.#privateKeyPem = privateKeyPem;
    this.publicPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
  }

  /** For the gateway plugin, which signs responses; do not pass it anywhere that logs. */
  privateKeyPem(): string {
    return this.#privateKeyPem;
  }

  readonly signNotification: NotificationSigner = (fields) => signNotification(fields, this.#privateKeyPem);

  toJSON(): { publicPem: string } {
    return { publicPem: this.publicPem };
  }

  [inspect.custom](): string {
    return `PlatformKeys { publicPem: ${JSON.stringify(this.publicPem)} }`;
  }
}

function generatePrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function loadPlatformKeys(dataDir: string, env: NodeJS.ProcessEnv = process.env): PlatformKeys {
  const fromEnv = env[PLATFORM_KEY_ENV];
  if (fromEnv?.trim()) return new PlatformKeys(fromEnv.replaceAll('\\n', '\n'));
  fs.mkdirSync(dataDir, { recursive: true });
  return new PlatformKeys(readOrCreateSecretFile(path.join(dataDir, PLATFORM_KEY_FILE), generatePrivateKeyPem));
}
