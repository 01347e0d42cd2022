// The data key: secrets Formica must keep but never show (a bank's debit token for a bound card)
// are stored sealed with AES-256-GCM, bound to the row they belong to (the additional data), so a
// leaked database or backup reveals none of them and a sealed value cannot be moved to another
// row. The key is 32 random bytes, from FORMICA_DATA_KEY (processes sharing one PostgreSQL must
// share it) or a 0600 file in the data dir, like the card fingerprint key.
//
// Rotation: the key setting is a comma-separated list, newest first. New values are sealed with
// the first key; a value is opened with the key its id names, so older keys keep opening what
// they sealed until every value has been sealed again (resealing happens when a value is written).
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { makePrivateDir } from './data-dir.ts';
import { readOrCreateSecretFile } from './secret-file.ts';

export const DATA_KEY_FILE = 'data-key';
export const DATA_KEY_ENV = 'FORMICA_DATA_KEY';
const VERSION = 'v1';
const IV_BYTES = 12;

export interface DataKey {
  /** `v1:<key id>:<iv>:<ciphertext>:<tag>`, base64url parts; `context` names the row it belongs to. */
  seal(plain: string, context: string): string;
  /** The plain text, or an error when the value was altered, moved or sealed with an unknown key. */
  open(sealed: string, context: string): string;
  isSealed(value: string): boolean;
  /** The ids of the keys held, newest (the sealing one) first: not secret, sealed values name them. */
  readonly keyIds: readonly string[];
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

function parseKey(text: string): Key {
  const trimmed = text.trim();
  const bytes = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (bytes.length !== 32) throw new Error(`${DATA_KEY_ENV}: each key must be 32 bytes, as 64 hex digits or base64`);
  return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 8), bytes };
}

export function dataKey(setting: string): DataKey {
  const keys = setting
    .split(',')
    .filter((k) => k.trim() !== '')
    .map(parseKey);
  const current = keys[0];
  if (!current) throw new Error(`${DATA_KEY_ENV} holds no key`);
  const byId = new Map(keys.map((k) => [k.id, k]));
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.bytes, iv).setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, current.id, iv, body, cipher.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join(':');
    },
    open(sealed, context) {
      const [version, id, iv, body, tag] = sealed.split(':');
      const key = id === undefined ? undefined : byId.get(id);
      if (version !== VERSION || !key || iv === undefined || body === undefined || tag === undefined) {
        throw new Error('a sealed value is malformed or was sealed with a key this installation does not hold');
      }
      const decipher = createDecipheriv('aes-256-gcm', key.bytes, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    },
    isSealed: (value) => value.startsWith(`${VERSION}:`),
    keyIds: keys.map((k) => k.id),
  };
}

export function loadDataKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): DataKey {
  const fromEnv = env[DATA_KEY_ENV];
  if (fromEnv?.trim()) return dataKey(fromEnv);
  makePrivateDir(dataDir);
  return dataKey(readOrCreateSecretFile(path.join(dataDir, DATA_KEY_FILE), () => randomBytes(32).toString('hex')));
}
