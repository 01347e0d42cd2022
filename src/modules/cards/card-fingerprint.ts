// A card's identity without its number: HMAC-SHA256 of the number under an installation secret, so
// binding the same card at another bank finds the same card, while a leaked database (fingerprints
// without the secret) cannot be brute-forced back to card numbers. The secret comes from
// FORMICA_CARD_FINGERPRINT_KEY (processes sharing one PostgreSQL must share it) or a 0600 file in
// the data dir. It is separate from the platform's signing key, which may be rotated: rotating
// this one would split every card from its existing fingerprint.
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { readOrCreateSecretFile } from '../../engine/secret-file.ts';

export const CARD_FINGERPRINT_KEY_FILE = 'card-fingerprint-key';
export const CARD_FINGERPRINT_KEY_ENV = 'FORMICA_CARD_FINGERPRINT_KEY';

/** Card number -> fingerprint (hex). The key stays in the closure: nothing to log or serialize. */
export type CardFingerprint = (cardNo: string) => string;

export function cardFingerprinter(secret: string): CardFingerprint {
  if (secret.trim().length < 32) throw new Error('the card fingerprint key must be at least 32 characters');
  const key = Buffer.from(secret.trim(), 'utf8');
  return (cardNo) => createHmac('sha256', key).update(cardNo).digest('hex');
}

export function loadCardFingerprinter(dataDir: string, env: NodeJS.ProcessEnv = process.env): CardFingerprint {
  const fromEnv = env[CARD_FINGERPRINT_KEY_ENV];
  if (fromEnv?.trim()) return cardFingerprinter(fromEnv);
  fs.mkdirSync(dataDir, { recursive: true });
  return cardFingerprinter(readOrCreateSecretFile(path.join(dataDir, CARD_FINGERPRINT_KEY_FILE), () => randomBytes(32).toString('hex')));
}
