// Version 2 response bodies: {"<method>_response": {...}, "sign": "..."}, where the platform signs
// the exact JSON text of the `_response` object, which is what the SDKs cut out and verify.
import { type ApiFailure, CODES, codeMessage } from './errors.ts';
import { rsaSign } from './rsa.ts';
import { isMethodName } from './v2-request.ts';

/**
 * `alipay.trade.query` answers in `alipay_trade_query_response`. Errors for a named method use the
 * method's key too, because the SDK locates the signed text by that key and would otherwise fail to
 * verify a signed error; only a request without a usable method name gets `error_response`.
 */
export function responseKey(method: unknown): string {
  return isMethodName(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response';
}

/** code and msg lead, as merchants see them; a handler cannot overwrite them by accident. */
/** A success answer: `10000`, or `10003` when the handler says the buyer has still to confirm. */
export function v2Success(body: Record<string, unknown>): Record<string, unknown> {
  const { code, msg: _msg, ...fields } = body;
  const answer = code === CODES.userPaying ? CODES.userPaying : CODES.success;
  return { code: answer, msg: codeMessage(answer), ...fields };
}

export function v2Failure(failure: ApiFailure): Record<string, unknown> {
  const { code, msg, sub_code, sub_msg } = failure;
  return sub_code ? { code, msg, sub_code, sub_msg } : { code, msg };
}

/** The response text: the payload's JSON is signed as written, then wrapped without re-serializing. */
export function buildV2ResponseBody(method: unknown, payload: Record<string, unknown>, privateKeyPem: string): string {
  const json = JSON.stringify(payload);
  const sign = rsaSign(json, privateKeyPem);
  return `{${JSON.stringify(responseKey(method))}:${json},"sign":${JSON.stringify(sign)}}`;
}
