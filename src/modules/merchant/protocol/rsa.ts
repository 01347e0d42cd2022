// RSA2 (SHA256withRSA) signing and the canonical "k=v&k=v" content both protocols sign.
import { createPrivateKey, createPublicKey, createSign, createVerify, type KeyObject } from 'node:crypto';
import { BoundedCache } from '../../../engine/bounded-cache.ts';

/** A parameter map as it arrives from a form, a query string or a JSON body. */
export type ParamMap = Record<string, unknown>;

/**
 * The string a version 2 request or a notification is signed over: every parameter except the
 * excluded ones, empty values dropped, keys sorted by code unit (ASCII), raw values joined by `&`.
 * Non-string values are JSON text, as the SDK writes them when it signs.
 */
export function signContent(params: ParamMap, exclude: readonly string[] = ['sign']): string {
  return Object.keys(params)
    .filter((key) => !exclude.includes(key) && !isEmpty(params[key]))
    .sort()
    .map((key) => `${key}=${valueText(params[key])}`)
    .join('&');
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Parsed keys by their PEM text: parsing a key costs more than a verification with it. */
const KEYS_CACHED = 10_000;
const privateKeys = new BoundedCache<string, KeyObject>(KEYS_CACHED);
const publicKeys = new BoundedCache<string, KeyObject>(KEYS_CACHED);

function parsed(cache: BoundedCache<string, KeyObject>, pem: string, parse: (pem: string) => KeyObject): KeyObject {
  let key = cache.get(pem);
  if (!key) {
    key = parse(pem);
    cache.set(pem, key);
  }
  return key;
}

/** Base64 SHA256withRSA signature of the UTF-8 bytes of `content`. */
export function rsaSign(content: string, privateKeyPem: string): string {
  const key = parsed(privateKeys, privateKeyPem, (pem) => createPrivateKey(pem));
  return createSign('RSA-SHA256').update(content, 'utf8').sign(key, 'base64');
}

/** False for a wrong signature and also for a malformed key or signature: callers only need yes/no. */
export function rsaVerify(content: string, signatureBase64: string, publicKeyPem: string): boolean {
  try {
    const key = parsed(publicKeys, publicKeyPem, (pem) => createPublicKey(normalizePublicKeyPem(pem)));
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(key, signatureBase64, 'base64');
  } catch {
    return false;
  }
}

/** Merchants often paste the bare Base64 key from a key tool; wrap it so node:crypto reads it. */
export function normalizePublicKeyPem(key: string): string {
  const trimmed = key.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  const body = trimmed.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN PUBLIC KEY-----\n${body.trimEnd()}\n-----END PUBLIC KEY-----`;
}
