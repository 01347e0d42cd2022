// Version 2 (gateway) requests: public parameter checks, the RSA2 signature over sorted parameters,
// the CST timestamp window and biz_content parsing. Pure apart from the injected app directory.
import { parseChinaTime } from './china-time.ts';
import type { AuthResult, MerchantAppDirectory } from './directory.ts';
import { type ApiFailure, GATEWAY_SUB_CODES as SUB, invalidArgument, invalidAuthToken, missingArgument } from './errors.ts';
import { type ParamMap, rsaSign, rsaVerify, signContent } from './rsa.ts';

/** Method names are dotted lowercase words; anything else cannot name a `_response` key either. */
const METHOD_NAME = /^[a-z][a-z0-9]*(\.[a-z0-9]+)+$/;

export function isMethodName(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 128 && METHOD_NAME.test(value);
}

/** Signs request parameters as a merchant SDK does: over every parameter but `sign`. */
export function signV2Params(params: ParamMap, privateKeyPem: string): ParamMap {
  return { ...params, sign: rsaSign(signContent(params), privateKeyPem) };
}

/** The platform verifies with the merchant's registered key; sign_type stays in the content. */
export function verifyV2Signature(params: ParamMap, publicKeyPem: string): boolean {
  const sign = params.sign;
  return typeof sign === 'string' && rsaVerify(signContent(params), sign, publicKeyPem);
}

function text(params: ParamMap, key: string): string | undefined {
  const value = params[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Missing and malformed public parameters, in the order the gateway reports them. */
export function checkV2PublicParams(params: ParamMap): ApiFailure | undefined {
  if (!text(params, 'method')) return missingArgument(SUB.missingMethod, 'method is required');
  if (!isMethodName(params.method)) return invalidArgument(SUB.invalidMethod, 'method does not exist');
  if (!text(params, 'app_id')) return missingArgument(SUB.missingAppId, 'app_id is required');
  const signType = text(params, 'sign_type');
  if (!signType) return missingArgument(SUB.missingSignatureType, 'sign_type is required');
  if (signType !== 'RSA2') return invalidArgument(SUB.invalidSignatureType, 'sign_type must be RSA2');
  if (!text(params, 'sign')) return missingArgument(SUB.missingSignature, 'sign is required');
  if (!text(params, 'timestamp')) return missingArgument(SUB.missingTimestamp, 'timestamp is required');
  const charset = text(params, 'charset');
  if (charset && charset.toLowerCase() !== 'utf-8') return invalidArgument(SUB.invalidCharset, 'charset must be utf-8');
  const format = text(params, 'format');
  if (format && format.toUpperCase() !== 'JSON') return invalidArgument(SUB.invalidFormat, 'format must be JSON');
  return undefined;
}

/** The timestamp is CST wall-clock time and must lie within the window around now. */
export function checkV2Timestamp(timestamp: string, nowMs: number, windowMs: number): ApiFailure | undefined {
  const ms = parseChinaTime(timestamp);
  if (ms === undefined) return invalidArgument(SUB.invalidTimestamp, 'timestamp must be yyyy-MM-dd HH:mm:ss (UTC+8)');
  if (Math.abs(nowMs - ms) > windowMs) return invalidArgument(SUB.invalidTimestamp, 'timestamp is outside the allowed window');
  return undefined;
}

export interface V2AuthDeps {
  apps: MerchantAppDirectory;
  nowMs: number;
  windowMs: number;
}

/** Public parameters, then the app, then the signature, then the timestamp. */
export async function authenticateV2(params: ParamMap, deps: V2AuthDeps): Promise<AuthResult<{ appId: string; method: string }>> {
  const malformed = checkV2PublicParams(params);
  if (malformed) return { ok: false, failure: malformed };
  const appId = params.app_id as string;
  if (text(params, 'app_auth_token')) {
    return { ok: false, failure: invalidAuthToken('acting for another merchant is not supported') };
  }
  const publicKey = await deps.apps.findPublicKey(appId);
  if (!publicKey) return { ok: false, failure: invalidArgument(SUB.invalidAppId, 'app_id is not a registered app') };
  if (!verifyV2Signature(params, publicKey)) {
    return { ok: false, failure: invalidArgument(SUB.invalidSignature, 'the signature does not verify') };
  }
  const stale = checkV2Timestamp(params.timestamp as string, deps.nowMs, deps.windowMs);
  if (stale) return { ok: false, failure: stale };
  return { ok: true, appId, method: params.method as string };
}

/** biz_content is a JSON object as text (or an object when the request itself was JSON). */
export function parseBizContent(value: unknown): { ok: true; biz: ParamMap } | { ok: false; failure: ApiFailure } {
  if (value === undefined || value === null || value === '') return { ok: true, biz: {} };
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, failure: invalidArgument(SUB.invalidParameter, 'biz_content must be a JSON object') };
  }
  return { ok: true, biz: parsed as ParamMap };
}
