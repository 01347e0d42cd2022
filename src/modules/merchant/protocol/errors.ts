// The merchant API's result codes: the public gateway codes (10000, 20000, 40001, 40002, 40004...)
// with their sub_codes, shared by both protocols so a failure is described once and shaped per protocol.

/** A failed call as the version 2 protocol writes it; version 3 derives its shape from this. */
export interface ApiFailure {
  code: string;
  msg: string;
  sub_code?: string;
  sub_msg?: string;
}

export const CODES = {
  success: '10000',
  /** Accepted, but the buyer has still to confirm (e.g. a payment PIN): query or wait for the notification. */
  userPaying: '10003',
  unknown: '20000',
  authToken: '20001',
  missing: '40001',
  invalid: '40002',
  conditions: '40003',
  business: '40004',
  permission: '40006',
} as const;

const CODE_MSGS: Record<string, string> = {
  '10000': 'Success',
  '10003': 'Waiting for user to pay',
  '20000': 'Service Currently Unavailable',
  '20001': 'Insufficient Token Permissions',
  '40001': 'Missing Required Arguments',
  '40002': 'Invalid Arguments',
  '40003': 'Insufficient Conditions',
  '40004': 'Business Failed',
  '40006': 'Insufficient Permissions',
};

export function codeMessage(code: string): string {
  return CODE_MSGS[code] ?? 'Unknown Error';
}

/** Gateway sub_codes: the caller's request is wrong before any business rule runs. */
export const GATEWAY_SUB_CODES = {
  missingMethod: 'isv.missing-method',
  missingAppId: 'isv.missing-app-id',
  missingSignature: 'isv.missing-signature',
  missingSignatureType: 'isv.missing-signature-type',
  missingTimestamp: 'isv.missing-timestamp',
  missingNonce: 'isv.missing-nonce',
  invalidMethod: 'isv.invalid-method',
  invalidFormat: 'isv.invalid-format',
  invalidCharset: 'isv.invalid-charset',
  invalidSignatureType: 'isv.invalid-signature-type',
  invalidSignature: 'isv.invalid-signature',
  invalidAppId: 'isv.invalid-app-id',
  invalidTimestamp: 'isv.invalid-timestamp',
  invalidNonce: 'isv.invalid-nonce',
  invalidParameter: 'isv.invalid-parameter',
  missingParameter: 'isv.missing-parameter',
  invalidAppAuthToken: 'aop.invalid-app-auth-token',
  unknownGateway: 'aop.unknow-error',
  unknownService: 'isp.unknow-error',
} as const;

/** Business sub_codes of the trade methods (code 40004), as merchants already handle them. */
export const TRADE_SUB_CODES = {
  TRADE_HAS_SUCCESS: 'ACQ.TRADE_HAS_SUCCESS',
  TRADE_HAS_CLOSE: 'ACQ.TRADE_HAS_CLOSE',
  TRADE_NOT_EXIST: 'ACQ.TRADE_NOT_EXIST',
  TRADE_STATUS_ERROR: 'ACQ.TRADE_STATUS_ERROR',
  CONTEXT_INCONSISTENT: 'ACQ.CONTEXT_INCONSISTENT',
  REFUND_AMT_NOT_EQUAL_TOTAL: 'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL',
  REFUND_AMT_EXCEED: 'ACQ.REFUND_AMT_RESTRICTION',
  TRADE_NOT_ALLOW_REFUND: 'ACQ.TRADE_NOT_ALLOW_REFUND',
  BUYER_BALANCE_NOT_ENOUGH: 'ACQ.BUYER_BALANCE_NOT_ENOUGH',
  PAYMENT_AUTH_CODE_INVALID: 'ACQ.PAYMENT_AUTH_CODE_INVALID',
  INVALID_PARAMETER: 'ACQ.INVALID_PARAMETER',
  SYSTEM_ERROR: 'ACQ.SYSTEM_ERROR',
} as const;

export type TradeSubCode = (typeof TRADE_SUB_CODES)[keyof typeof TRADE_SUB_CODES];

/** The public sub_code for a trade refusal's code (REFUND_AMT_EXCEED is ACQ.REFUND_AMT_RESTRICTION publicly). */
export function tradeSubCode(code: string): string {
  const known = (TRADE_SUB_CODES as Record<string, string>)[code];
  return known ?? `ACQ.${code}`;
}

const TRADE_SUB_MSGS: Record<TradeSubCode, string> = {
  'ACQ.TRADE_HAS_SUCCESS': 'the trade has already been paid',
  'ACQ.TRADE_HAS_CLOSE': 'the trade has been closed',
  'ACQ.TRADE_NOT_EXIST': 'the trade does not exist',
  'ACQ.TRADE_STATUS_ERROR': 'the trade is not in a state that allows this operation',
  'ACQ.CONTEXT_INCONSISTENT': 'the same out_trade_no was used with different content',
  'ACQ.REFUND_AMT_NOT_EQUAL_TOTAL': 'without out_request_no the refund must be the full amount',
  'ACQ.REFUND_AMT_RESTRICTION': 'the refunds would exceed the amount paid',
  'ACQ.TRADE_NOT_ALLOW_REFUND': 'the trade can no longer be refunded',
  'ACQ.BUYER_BALANCE_NOT_ENOUGH': 'the buyer balance is not enough',
  'ACQ.PAYMENT_AUTH_CODE_INVALID': 'the payment auth code is invalid or expired',
  'ACQ.INVALID_PARAMETER': 'invalid parameter',
  'ACQ.SYSTEM_ERROR': 'system error, retry later',
};

function failure(code: string, subCode: string, subMsg: string): ApiFailure {
  return { code, msg: codeMessage(code), sub_code: subCode, sub_msg: subMsg };
}

/** 40001: a required public or business parameter is absent. */
export function missingArgument(subCode: string, subMsg: string): ApiFailure {
  return failure(CODES.missing, subCode, subMsg);
}

/** 40002: a parameter is present but wrong, including a bad signature or an unknown app. */
export function invalidArgument(subCode: string, subMsg: string): ApiFailure {
  return failure(CODES.invalid, subCode, subMsg);
}

/** 40004: the request was understood and refused by a business rule. */
export function businessFailure(subCode: TradeSubCode | string, subMsg?: string): ApiFailure {
  const known = (TRADE_SUB_MSGS as Record<string, string>)[subCode];
  return failure(CODES.business, subCode, subMsg ?? known ?? 'business failed');
}

/** 20001: the request tries to act through an app auth token, which Formica does not issue. */
export function invalidAuthToken(subMsg: string): ApiFailure {
  return failure(CODES.authToken, GATEWAY_SUB_CODES.invalidAppAuthToken, subMsg);
}

/** 20000: something broke on Formica's side; the merchant should retry or query. */
export function unknownError(): ApiFailure {
  return failure(CODES.unknown, GATEWAY_SUB_CODES.unknownService, 'service temporarily unavailable');
}
