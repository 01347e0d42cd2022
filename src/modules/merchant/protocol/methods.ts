// The merchant API's method names and how version 3 paths map onto them:
// `POST /v3/alipay/trade/query` is `alipay.trade.query`, `/v3/formica/trade/ship` is `formica.trade.ship`.

export const TRADE_METHODS = [
  'alipay.trade.create',
  'alipay.trade.pay',
  'alipay.trade.precreate',
  'alipay.trade.query',
  'alipay.trade.refund',
  'alipay.trade.fastpay.refund.query',
  'alipay.trade.close',
  'alipay.trade.cancel',
  'formica.trade.ship',
] as const;

export type TradeMethod = (typeof TRADE_METHODS)[number];

const SEGMENT = /^[a-z0-9]+$/;

/** The method a version 3 path names (query string ignored), or undefined for a path that names none. */
export function methodFromV3Path(url: string): string | undefined {
  const path = url.split('?')[0];
  if (!path.startsWith('/v3/')) return undefined;
  const segments = path.slice('/v3/'.length).split('/');
  if (segments.length < 2 || !segments.every((s) => SEGMENT.test(s))) return undefined;
  return segments.join('.');
}

export function v3PathFromMethod(method: string): string {
  return `/v3/${method.replaceAll('.', '/')}`;
}
