// The version 3 REST protocol (`/v3/alipay/...`, `/v3/formica/...`): the authorization header over
// the raw request, the JSON body (or query for GET) as business parameters, signed response headers.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dispatch } from './gateway-dispatch.ts';
import type { BizParams, GatewayPluginOptions } from './gateway-types.ts';
import { DEFAULT_TIMESTAMP_WINDOW_MS } from './protocol/directory.ts';
import { type ApiFailure, GATEWAY_SUB_CODES as SUB, invalidArgument } from './protocol/errors.ts';
import { methodFromV3Path } from './protocol/methods.ts';
import { authenticateV3 } from './protocol/v3-auth.ts';
import { signV3Response, v3Error } from './protocol/v3-response.ts';

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function sendV3(reply: FastifyReply, status: number, body: unknown, opts: GatewayPluginOptions, traceId: string): FastifyReply {
  const text = JSON.stringify(body);
  const newId = opts.newId ?? randomUUID;
  const signed = signV3Response(text, opts.clock.now(), newId(), opts.platformPrivateKeyPem);
  return reply
    .code(status)
    .headers({ ...signed, 'alipay-trace-id': traceId })
    .type('application/json; charset=utf-8')
    .send(text);
}

export function sendV3Failure(reply: FastifyReply, failure: ApiFailure, opts: GatewayPluginOptions, traceId: string): FastifyReply {
  const error = v3Error(failure);
  return sendV3(reply, error.status, error.body, opts, traceId);
}

/** POST carries a JSON object; GET carries the query string. Both may be empty. */
function bizParams(request: FastifyRequest, raw: string): BizParams | undefined {
  const query: BizParams = Object.fromEntries(new URLSearchParams(request.url.split('?')[1] ?? ''));
  if (raw.trim() === '') return query;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return { ...query, ...(parsed as BizParams) };
  } catch {
    return undefined;
  }
}

export async function handleV3(request: FastifyRequest, reply: FastifyReply, opts: GatewayPluginOptions, traceId: string): Promise<FastifyReply> {
  const raw = typeof request.body === 'string' ? request.body : '';
  const parts = { httpMethod: request.method, pathWithQuery: request.url, body: raw, appAuthToken: header(request, 'alipay-app-auth-token') };
  const windowMs = opts.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS;
  const deps = { apps: opts.apps, nonces: opts.nonces, nowMs: opts.clock.now(), windowMs };
  const auth = await authenticateV3(header(request, 'authorization'), parts, deps);
  if (!auth.ok) return sendV3Failure(reply, auth.failure, opts, traceId);
  const method = methodFromV3Path(request.url);
  if (!method) return sendV3Failure(reply, invalidArgument(SUB.invalidMethod, 'no such API path'), opts, traceId);
  if (header(request, 'alipay-encrypt-type')) {
    return sendV3Failure(reply, invalidArgument(SUB.invalidParameter, 'encrypted bodies are not supported'), opts, traceId);
  }
  const biz = bizParams(request, raw);
  if (!biz) return sendV3Failure(reply, invalidArgument(SUB.invalidParameter, 'the body must be a JSON object'), opts, traceId);
  const notifyUrl = typeof biz.notify_url === 'string' ? biz.notify_url : undefined;
  const context = { method, protocol: 'v3' as const, notifyUrl, origin: `${request.protocol}://${request.host}` };
  const result = await dispatch(opts.handlers, auth.appId, biz, context, request.log);
  if (!result.ok) return sendV3Failure(reply, result, opts, traceId);
  return sendV3(reply, 200, result.body, opts, traceId);
}
