// The operator token: taken from FORMICA_ADMIN_TOKEN, or generated at first start. Only its
// SHA-256 is kept in the data directory; a generated token is shown once, when it is made.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sha256 } from './auth.ts';

const HASH_FILE = 'operator-token.sha256';

export interface OperatorToken {
  readonly hash: Buffer;
  /** Set only when the token was generated now: the one moment it can be shown. */
  readonly generated?: string;
}

/** Long enough that guessing is hopeless even without the attempt limits (a generated one has 36). */
export const MIN_OPERATOR_TOKEN_LENGTH = 32;

/** Refuses a chosen token that is too short or not one printable word (it travels as a Bearer token). */
export function checkOperatorToken(token: string): string {
  if (token.length < MIN_OPERATOR_TOKEN_LENGTH) {
    throw new Error(`FORMICA_ADMIN_TOKEN must be at least ${MIN_OPERATOR_TOKEN_LENGTH} characters (it is ${token.length}); unset it to have one generated`);
  }
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('FORMICA_ADMIN_TOKEN must be printable ASCII without spaces');
  return token;
}

export function resolveOperatorToken(dataDir: string, fromEnv: string | undefined): OperatorToken {
  if (fromEnv) return { hash: sha256(checkOperatorToken(fromEnv)) };
  const file = path.join(dataDir, HASH_FILE);
  if (fs.existsSync(file)) return { hash: Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex') };
  const generated = `fop_${randomBytes(24).toString('base64url')}`;
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, sha256(generated).toString('hex'), { mode: 0o600 });
  return { hash: sha256(generated), generated };
}
