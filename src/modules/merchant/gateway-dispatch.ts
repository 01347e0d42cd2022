// Calls the handler a method names, turning an unknown method and a thrown error into failures,
// so no handler mistake reaches the caller as anything but the protocol's own error.
import type { FastifyBaseLogger } from 'fastify';
import { uncleanParameter } from './biz-fields.ts';
import type { ApiCallContext, BizParams, TradeApiHandlers, TradeApiResult } from './gateway-types.ts';
import { GATEWAY_SUB_CODES, invalidArgument, unknownError } from './protocol/errors.ts';

export async function dispatch(
  handlers: TradeApiHandlers,
  appId: string,
  bizParams: BizParams,
  context: ApiCallContext,
  log: FastifyBaseLogger,
): Promise<TradeApiResult> {
  const handler = Object.hasOwn(handlers, context.method) ? handlers[context.method] : undefined;
  if (!handler) return { ok: false, ...invalidArgument(GATEWAY_SUB_CODES.invalidMethod, 'method does not exist') };
  const unclean = uncleanParameter(bizParams);
  if (unclean) return { ok: false, ...unclean };
  try {
    return await handler(appId, bizParams, context);
  } catch (error) {
    log.error({ err: error, method: context.method }, 'merchant API handler failed');
    return { ok: false, ...unknownError() };
  }
}
