// Version 3 (REST) request authentication: the `authorization: ALIPAY-SHA256withRSA app_id=...,
// nonce=...,timestamp=...,sign=...` header, signed over auth string, method, path, body (and token).
import type { AuthResult, MerchantAppDirectory } from './directory.ts';
import { type ApiFailure, GATEWAY_SUB_CODES as SUB, invalidArgument, invalidAuthToken, missingArgument } from './errors.ts';
import type { NonceStore } from './nonce-store.ts';
import { rsaSign, rsaVerify } from './rsa.ts';

export const V3_SCHEME = 'ALIPAY-SHA256withRSA';
const SIGN_MARK = ',sign=';

export interface V3Authorization {
  /** The header's text between the scheme and `,sign=`: signed verbatim, extensions included. */
  authString: string;
  appId: string;
  nonce: string;
  timestamp: string;
  sign: string;
}

/** The parts of an HTTP request the signature covers. */
export interface V3RequestParts {
  httpMethod: string;
  /** The request target as sent: path plus query string. */
  pathWithQuery: string;
  /** The raw body text ('' when there is none). */
  body: string;
  appAuthToken?: string;
}

export function v3SignString(authString: string, parts: V3RequestParts): string {
  const base = `${authString}\n${parts.httpMethod.toUpperCase()}\n${parts.pathWithQuery}\n${parts.body}\n`;
  return parts.appAuthToken ? `${base}${parts.appAuthToken}\n` : base;
}

function authFields(authString: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const pair of authString.split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && !fields.has(pair.slice(0, eq))) fields.set(pair.slice(0, eq).trim(), pair.slice(eq + 1));
  }
  return fields;
}

/** Splits the header; the signature is Base64 so the last `,sign=` starts it. */
export function parseV3Authorization(header: string | undefined): { ok: true; auth: V3Authorization } | { ok: false; failure: ApiFailure } {
  const prefix = `${V3_SCHEME} `;
  if (!header?.startsWith(prefix)) {
    return { ok: false, failure: missingArgument(SUB.missingSignature, `authorization must start with ${V3_SCHEME}`) };
  }
  const rest = header.slice(prefix.length).trim();
  const at = rest.lastIndexOf(SIGN_MARK);
  const sign = at < 0 ? '' : rest.slice(at + SIGN_MARK.length);
  if (!sign) return { ok: false, failure: missingArgument(SUB.missingSignature, 'authorization carries no sign') };
  const authString = rest.slice(0, at);
  const fields = authFields(authString);
  const appId = fields.get('app_id');
  const nonce = fields.get('nonce');
  const timestamp = fields.get('timestamp');
  if (!appId) return { ok: false, failure: missingArgument(SUB.missingAppId, 'authorization carries no app_id') };
  if (!nonce) return { ok: false, failure: missingArgument(SUB.missingNonce, 'authorization carries no nonce') };
  if (!timestamp) return { ok: false, failure: missingArgument(SUB.missingTimestamp, 'authorization carries no timestamp') };
  return { ok: true, auth: { authString, appId, nonce, timestamp, sign } };
}

/** Builds the header a merchant SDK sends; used by tests and by tools that call the API. */
export function signV3Request(auth: { appId: string; nonce: string; timestampMs: number }, parts: V3RequestParts, privateKeyPem: string): string {
  const authString = `app_id=${auth.appId},nonce=${auth.nonce},timestamp=${auth.timestampMs}`;
  const sign = rsaSign(v3SignString(authString, parts), privateKeyPem);
  return `${V3_SCHEME} ${authString}${SIGN_MARK}${sign}`;
}

export function checkV3Timestamp(timestamp: string, nowMs: number, windowMs: number): ApiFailure | undefined {
  if (!/^\d{1,16}$/.test(timestamp)) return invalidArgument(SUB.invalidTimestamp, 'timestamp must be epoch milliseconds');
  if (Math.abs(nowMs - Number(timestamp)) > windowMs) {
    return invalidArgument(SUB.invalidTimestamp, 'timestamp is outside the allowed window');
  }
  return undefined;
}

export interface V3AuthDeps {
  apps: MerchantAppDirectory;
  nonces: NonceStore;
  nowMs: number;
  windowMs: number;
}

/** Header, app, signature, timestamp, then the nonce, claimed only once the caller is proven. */
export async function authenticateV3(authorization: string | undefined, parts: V3RequestParts, deps: V3AuthDeps): Promise<AuthResult<{ appId: string }>> {
  const parsed = parseV3Authorization(authorization);
  if (!parsed.ok) return parsed;
  const { auth } = parsed;
  if (parts.appAuthToken) {
    return { ok: false, failure: invalidAuthToken('acting for another merchant is not supported') };
  }
  const publicKey = await deps.apps.findPublicKey(auth.appId);
  if (!publicKey) return { ok: false, failure: invalidArgument(SUB.invalidAppId, 'app_id is not a registered app') };
  if (!rsaVerify(v3SignString(auth.authString, parts), auth.sign, publicKey)) {
    return { ok: false, failure: invalidArgument(SUB.invalidSignature, 'the signature does not verify') };
  }
  const stale = checkV3Timestamp(auth.timestamp, deps.nowMs, deps.windowMs);
  if (stale) return { ok: false, failure: stale };
  if (auth.nonce.length > 128) return { ok: false, failure: invalidArgument(SUB.invalidNonce, 'nonce is too long') };
  const expiresAtMs = Number(auth.timestamp) + deps.windowMs;
  if (!(await deps.nonces.claim(auth.appId, auth.nonce, expiresAtMs, deps.nowMs))) {
    return { ok: false, failure: invalidArgument(SUB.invalidNonce, 'nonce has already been used') };
  }
  return { ok: true, appId: auth.appId };
}
