// The merchant open API's protocol layer: signing, verification and response shapes of the
// version 2 gateway and the version 3 REST protocol, independent of what the methods do.
export { formatChinaTime, parseChinaTime } from './china-time.ts';
export { type AuthResult, DEFAULT_TIMESTAMP_WINDOW_MS, type MerchantAppDirectory } from './directory.ts';
export {
  type ApiFailure,
  businessFailure,
  CODES,
  codeMessage,
  GATEWAY_SUB_CODES,
  invalidArgument,
  invalidAuthToken,
  missingArgument,
  TRADE_SUB_CODES,
  type TradeSubCode,
  unknownError,
} from './errors.ts';
export { methodFromV3Path, TRADE_METHODS, type TradeMethod, v3PathFromMethod } from './methods.ts';
export { MemoryNonceStore, type NonceStore } from './nonce-store.ts';
export {
  type NotificationFields,
  notificationFormBody,
  type SignedNotification,
  signNotification,
  verifyNotification,
} from './notify.ts';
export { normalizePublicKeyPem, type ParamMap, rsaSign, rsaVerify, signContent } from './rsa.ts';
export {
  authenticateV2,
  checkV2PublicParams,
  checkV2Timestamp,
  isMethodName,
  parseBizContent,
  signV2Params,
  type V2AuthDeps,
  verifyV2Signature,
} from './v2-request.ts';
export { buildV2ResponseBody, responseKey, v2Failure, v2Success } from './v2-response.ts';
export {
  authenticateV3,
  checkV3Timestamp,
  parseV3Authorization,
  signV3Request,
  type V3AuthDeps,
  type V3Authorization,
  type V3RequestParts,
  V3_SCHEME,
  v3SignString,
} from './v3-auth.ts';
export { signV3Response, type V3Error, type V3SignedHeaders, v3Error } from './v3-response.ts';
