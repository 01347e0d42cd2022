// Version 3 responses: the body goes out as is, signed in headers over `<timestamp>\n<nonce>\n<body>\n`;
// errors are an HTTP 4xx/5xx with {"code", "message"}.
import { type ApiFailure, CODES, GATEWAY_SUB_CODES as SUB } from './errors.ts';
import { rsaSign } from './rsa.ts';

export interface V3SignedHeaders {
  'alipay-timestamp': string;
  'alipay-nonce': string;
  'alipay-signature': string;
}

export function signV3Response(body: string, timestampMs: number, nonce: string, privateKeyPem: string): V3SignedHeaders {
  const timestamp = String(timestampMs);
  return {
    'alipay-timestamp': timestamp,
    'alipay-nonce': nonce,
    'alipay-signature': rsaSign(`${timestamp}\n${nonce}\n${body}\n`, privateKeyPem),
  };
}

export interface V3Error {
  status: number;
  body: { code: string; message: string };
}

/** Failures that mean "we do not know who you are", answered 401 rather than 400. */
const UNAUTHENTICATED: ReadonlySet<string> = new Set([
  SUB.missingSignature,
  SUB.missingAppId,
  SUB.missingNonce,
  SUB.missingTimestamp,
  SUB.invalidSignature,
  SUB.invalidAppId,
  SUB.invalidTimestamp,
  SUB.invalidNonce,
  SUB.invalidAppAuthToken,
]);

/** The code is the version 2 sub_code (or code), so one failure reads the same in both protocols. */
export function v3Error(failure: ApiFailure): V3Error {
  return {
    status: v3Status(failure),
    body: { code: failure.sub_code ?? failure.code, message: failure.sub_msg ?? failure.msg },
  };
}

function v3Status(failure: ApiFailure): number {
  const sub = failure.sub_code ?? '';
  if (UNAUTHENTICATED.has(sub) || failure.code === CODES.authToken) return 401;
  if (sub === SUB.invalidMethod || sub.endsWith('TRADE_NOT_EXIST')) return 404;
  if (failure.code === CODES.conditions || failure.code === CODES.permission) return 403;
  if (failure.code === CODES.unknown) return 500;
  return 400;
}
