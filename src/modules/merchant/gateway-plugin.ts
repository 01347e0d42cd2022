// The merchant open API over HTTP: `/gateway.do` (version 2) and `/v3/alipay/...`, `/v3/formica/...`
// (version 3), so merchants' existing SDK code works against Formica. Register it at the root:
// version 3 signatures cover the request path, which a prefix would change. Register it as an
// ordinary (encapsulated) plugin, not through fastify-plugin: it replaces the body parsers of its
// own context only.
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayPluginOptions } from './gateway-types.ts';
import { handleV2, sendV2 } from './gateway-v2.ts';
import { handleV3, sendV3Failure } from './gateway-v3.ts';
import { type ApiFailure, GATEWAY_SUB_CODES, invalidArgument, unknownError } from './protocol/errors.ts';
import { v2Failure } from './protocol/v2-response.ts';

export type { GatewayPluginOptions, TradeApiHandler, TradeApiHandlers, TradeApiResult } from './gateway-types.ts';

const TRACE_ID = /^[\w-]{1,64}$/;

/** Echo the caller's request id when it is sane, so both sides can find one call in their logs. */
function traceId(request: FastifyRequest, opts: GatewayPluginOptions): string {
  const given = request.headers['alipay-request-id'];
  return typeof given === 'string' && TRACE_ID.test(given) ? given : (opts.newId ?? randomUUID)();
}

function isV3(request: FastifyRequest): boolean {
  return request.url.startsWith('/v3/');
}

/** Errors raised before a handler runs (body too large, unreadable body) still answer in the protocol's shape. */
function failureOf(error: FastifyError): ApiFailure {
  const status = error.statusCode ?? 500;
  return status >= 400 && status < 500 ? invalidArgument(GATEWAY_SUB_CODES.invalidParameter, error.message) : unknownError();
}

function onError(opts: GatewayPluginOptions) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = failureOf(error);
    if (failure.code === unknownError().code) request.log.error({ err: error }, 'merchant API failed');
    if (isV3(request)) return sendV3Failure(reply, failure, opts, traceId(request, opts));
    const method = new URLSearchParams(request.url.split('?')[1] ?? '').get('method');
    return sendV2(reply, method, v2Failure(failure), opts);
  };
}

export async function gatewayPlugin(app: FastifyInstance, opts: GatewayPluginOptions): Promise<void> {
  // Signatures cover the exact bytes sent, so bodies stay text here and are parsed after verification.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  app.setErrorHandler(onError(opts));
  app.route({
    method: ['GET', 'POST'],
    url: '/gateway.do',
    handler: (request, reply) => {
      reply.header('trace_id', traceId(request, opts));
      return handleV2(request, reply, opts);
    },
  });
  for (const url of ['/v3/alipay/*', '/v3/formica/*']) {
    app.route({
      method: ['GET', 'POST'],
      url,
      handler: (request, reply) => handleV3(request, reply, opts, traceId(request, opts)),
    });
  }
}
