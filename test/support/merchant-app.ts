// A merchant app registered through the operator API, and the official alipay-sdk configured for
// it exactly as a merchant would configure it: the tests' one way to become a merchant.
import { AlipaySdk } from 'alipay-sdk';
import { rsaKeyPair } from '../../src/modules/merchant/test-keys.ts';
import type { TestServer } from './test-server.ts';

export interface MerchantApp {
  readonly merchantId: string;
  readonly appId: string;
  readonly sdk: AlipaySdk;
}

export async function registerMerchantApp(server: TestServer, shop: { name: string; ownerPhone?: string; feeBps?: number }): Promise<MerchantApp> {
  const keys = rsaKeyPair();
  const created = await server.call('POST', '/v1/admin/merchants', {
    name: shop.name,
    public_key: keys.publicKey,
    fee_bps: shop.feeBps ?? 0,
    ...(shop.ownerPhone ? { owner_phone: shop.ownerPhone } : {}),
  });
  if (created.status !== 201) throw new Error(`merchant registration failed: ${JSON.stringify(created.body)}`);
  const sdk = new AlipaySdk({
    appId: created.body.app_id,
    privateKey: keys.privateKey,
    alipayPublicKey: created.body.platform_public_key,
    gateway: `${server.url}/gateway.do`,
    endpoint: server.url,
  });
  return { merchantId: created.body.merchant_id, appId: created.body.app_id, sdk };
}
