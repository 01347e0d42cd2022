// The seam between the merchant API's protocol layer and the services behind it: handlers receive
// an authenticated app and the business parameters, and answer with a body or a failure.
import type { Clock } from '../../engine/clock.ts';
import type { ApiFailure } from './protocol/errors.ts';
import type { MerchantAppDirectory } from './protocol/directory.ts';
import type { NonceStore } from './protocol/nonce-store.ts';

export type BizParams = Record<string, unknown>;

/**
 * ok: the method's response fields (snake_case, money as decimal strings); code/msg are added for v2.
 * redirectTo: a version 2 call from a browser (pageExecute) is sent there instead of the JSON body.
 */
export type TradeApiResult = { ok: true; body: Record<string, unknown>; redirectTo?: string } | ({ ok: false } & ApiFailure);

export interface ApiCallContext {
  method: string;
  protocol: 'v2' | 'v3';
  /** Version 2 carries notify_url and return_url as public parameters, outside biz_content. */
  notifyUrl?: string;
  returnUrl?: string;
  /** Scheme and host the request came to, for links handed back (a bill's download URL). */
  origin?: string;
}

export type TradeApiHandler = (appId: string, bizParams: BizParams, context: ApiCallContext) => Promise<TradeApiResult>;

/** Keyed by method name, e.g. `alipay.trade.query`; version 3 paths map onto the same names. */
export type TradeApiHandlers = Readonly<Record<string, TradeApiHandler>>;

export interface GatewayPluginOptions {
  apps: MerchantAppDirectory;
  handlers: TradeApiHandlers;
  /** Formica's private key (PEM): signs every response; merchants hold its public half. */
  platformPrivateKeyPem: string;
  clock: Clock;
  nonces: NonceStore;
  /** Defaults to DEFAULT_TIMESTAMP_WINDOW_MS (15 minutes). */
  timestampWindowMs?: number;
  /** Source of response nonces and trace ids; defaults to crypto.randomUUID. */
  newId?: () => string;
}
