// Merchant authentication for Formica's own merchant routes (bills, notifications): the same
// version 3 `authorization: ALIPAY-SHA256withRSA ...` header the merchant's SDK already signs, so a
// merchant needs no second credential and a leaked response cannot be replayed as a request.
import type { Clock } from '../../engine/clock.ts';
import type { Merchant, MerchantService } from './merchant-apps.ts';
import { MerchantError } from './merchant-errors.ts';
import { DEFAULT_TIMESTAMP_WINDOW_MS } from './protocol/directory.ts';
import { authenticateV3, type V3RequestParts } from './protocol/v3-auth.ts';
import { signV3Response, type V3SignedHeaders } from './protocol/v3-response.ts';

export interface SignedRequest {
  authorization: string | undefined;
  parts: V3RequestParts;
}

/** The merchant whose app signed the request, or `merchant_unauthorized` with the protocol's reason. */
export async function authenticateMerchant(merchants: MerchantService, clock: Clock, request: SignedRequest): Promise<Merchant> {
  const deps = { apps: merchants, nonces: merchants.nonces, nowMs: clock.now(), windowMs: DEFAULT_TIMESTAMP_WINDOW_MS };
  const auth = await authenticateV3(request.authorization, request.parts, deps);
  if (!auth.ok) throw new MerchantError('merchant_unauthorized', `${auth.failure.sub_code}: ${auth.failure.sub_msg}`);
  const merchant = await merchants.byAppId(auth.appId);
  if (!merchant) throw new MerchantError('merchant_unauthorized', 'app_id is not a registered app');
  return merchant;
}

/** Response headers the SDK's `curl` verifies with the platform's public key. */
export function signedHeaders(body: string, clock: Clock, nonce: string, privateKeyPem: string): V3SignedHeaders {
  return signV3Response(body, clock.now(), nonce, privateKeyPem);
}
