// Asynchronous notifications (`trade_status_sync`): signed with the platform's key so that a
// merchant's `checkNotifySign` accepts them. Empty fields are left out, because the SDK signs
// every field it receives; sign and sign_type are outside the signed content.
import { type ParamMap, rsaSign, rsaVerify, signContent } from './rsa.ts';

export type NotificationFields = Record<string, string | undefined>;
export type SignedNotification = Record<string, string>;

const UNSIGNED = ['sign', 'sign_type'];

/**
 * Returns the fields to POST, with sign_type=RSA2 and sign. Values are sent raw; the SDK's default
 * check URI-decodes each value first, so values must not contain `%` (trade fields never do).
 */
export function signNotification(fields: NotificationFields, privateKeyPem: string): SignedNotification {
  const kept: SignedNotification = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined && value !== '' && !UNSIGNED.includes(key)) kept[key] = value;
  }
  return { ...kept, sign_type: 'RSA2', sign: rsaSign(signContent(kept, UNSIGNED), privateKeyPem) };
}

/** What a merchant's server does on receipt, for Formica's own checks and tests. */
export function verifyNotification(params: ParamMap, publicKeyPem: string): boolean {
  const sign = params.sign;
  return typeof sign === 'string' && rsaVerify(signContent(params, UNSIGNED), sign, publicKeyPem);
}

/** The application/x-www-form-urlencoded body of the notification POST. */
export function notificationFormBody(signed: SignedNotification): string {
  return new URLSearchParams(signed).toString();
}
