// Why a merchant request's signature did or did not verify, in words a developer can act on. The
// inspector checks each request again with the protocol's own functions, and when the signature
// fails it tries the usual mistakes (another key, SHA1, a field left out, encoded values) to name one.
import { createHash, createPublicKey, createVerify } from 'node:crypto';
import { normalizePublicKeyPem, type ParamMap, rsaVerify, signContent } from '../merchant/protocol/rsa.ts';
import { parseV3Authorization, type V3RequestParts, v3SignString } from '../merchant/protocol/v3-auth.ts';

export interface SignatureCheck {
  readonly verdict: 'verified' | 'failed' | 'not_checked';
  /** One sentence: what was found. */
  readonly reason: string;
  /** What to compare: the exact string Formica verified, the key it used. */
  readonly details: readonly string[];
}

type FindKey = (appId: string) => Promise<string | undefined>;

export async function checkV2Signature(params: ParamMap, findKey: FindKey): Promise<SignatureCheck> {
  const appId = text(params.app_id);
  const sign = text(params.sign);
  if (!appId) return notChecked('the request names no app_id');
  if (!sign) return notChecked('the request carries no sign parameter');
  const key = await findKey(appId);
  if (!key) return notChecked(`app_id ${appId} is not a registered app`);
  const content = signContent(params);
  if (rsaVerify(content, sign, key)) return verified(appId, content, key);
  const variants: [string, string][] = [
    ['sign_type was left out of the signed string; a request is signed over every parameter except sign', signContent(params, ['sign', 'sign_type'])],
    ['the values were URL-encoded before signing; sign the raw values', encodedContent(params)],
  ];
  return failed(appId, content, sign, key, variants);
}

export async function checkV3Signature(authorization: string | undefined, parts: V3RequestParts, findKey: FindKey): Promise<SignatureCheck> {
  const parsed = parseV3Authorization(authorization);
  if (!parsed.ok) return notChecked(parsed.failure.sub_msg ?? 'the authorization header is not readable');
  const { auth } = parsed;
  const key = await findKey(auth.appId);
  if (!key) return notChecked(`app_id ${auth.appId} is not a registered app`);
  const content = v3SignString(auth.authString, parts);
  if (rsaVerify(content, auth.sign, key)) return verified(auth.appId, content, key);
  const pathOnly = parts.pathWithQuery.split('?')[0];
  const variants: [string, string][] = [
    ['the signed path left out the query string; sign the path as sent, query included', v3SignString(auth.authString, { ...parts, pathWithQuery: pathOnly })],
    ['the body was left out of the signed string; sign the exact body text sent', v3SignString(auth.authString, { ...parts, body: '' })],
  ];
  return failed(auth.appId, content, auth.sign, key, variants);
}

function failed(appId: string, content: string, sign: string, keyPem: string, variants: [string, string][]): SignatureCheck {
  const details = [`Formica verified this string: ${content}`, `with the public key registered for app ${appId} (${fingerprint(keyPem)})`];
  const bits = keyBits(keyPem);
  const signatureBytes = Buffer.from(sign, 'base64').length;
  if (bits && signatureBytes !== bits / 8) {
    return {
      verdict: 'failed',
      reason: `the signature is ${signatureBytes} bytes, but app ${appId}'s ${bits}-bit key makes ${bits / 8}-byte signatures: it was made with another key`,
      details,
    };
  }
  if (verifies('RSA-SHA1', content, sign, keyPem)) {
    return { verdict: 'failed', reason: 'the signature was made with SHA1 (sign_type RSA); sign with SHA256 (RSA2)', details };
  }
  for (const [reason, variant] of variants) if (variant !== content && rsaVerify(variant, sign, keyPem)) return { verdict: 'failed', reason, details };
  return {
    verdict: 'failed',
    reason: `the signature does not match: either the private key is not the pair of the public key registered for app ${appId}, or another string was signed than the one below`,
    details,
  };
}

function verified(appId: string, content: string, keyPem: string): SignatureCheck {
  return { verdict: 'verified', reason: `verified with the public key of app ${appId}`, details: [`signed string: ${content}`, `key ${fingerprint(keyPem)}`] };
}

function notChecked(reason: string): SignatureCheck {
  return { verdict: 'not_checked', reason, details: [] };
}

function encodedContent(params: ParamMap): string {
  const encoded = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' ? encodeURIComponent(v) : v]));
  return signContent(encoded);
}

function verifies(algorithm: string, content: string, sign: string, keyPem: string): boolean {
  try {
    return createVerify(algorithm)
      .update(content, 'utf8')
      .verify(createPublicKey(normalizePublicKeyPem(keyPem)), sign, 'base64');
  } catch {
    return false;
  }
}

function keyBits(keyPem: string): number | undefined {
  try {
    return createPublicKey(normalizePublicKeyPem(keyPem)).asymmetricKeyDetails?.modulusLength;
  } catch {
    return undefined;
  }
}

/** A short SHA-256 of the key's DER form, to tell two keys apart at a glance. */
function fingerprint(keyPem: string): string {
  try {
    const der = createPublicKey(normalizePublicKeyPem(keyPem)).export({ type: 'spki', format: 'der' });
    return `SHA-256 ${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
  } catch {
    return 'unreadable key';
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
