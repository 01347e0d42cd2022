// The version 2 gateway (`/gateway.do`): public parameters from the query string and the form or
// JSON body, authentication, dispatch by `method`, and a signed `<method>_response` body.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { uncleanParameter } from './biz-fields.ts';
import { dispatch } from './gateway-dispatch.ts';
import type { GatewayPluginOptions } from './gateway-types.ts';
import { DEFAULT_TIMESTAMP_WINDOW_MS } from './protocol/directory.ts';
import { type ApiFailure, GATEWAY_SUB_CODES, invalidArgument } from './protocol/errors.ts';
import type { ParamMap } from './protocol/rsa.ts';
import { authenticateV2, parseBizContent } from './protocol/v2-request.ts';
import { buildV2ResponseBody, v2Failure, v2Success } from './protocol/v2-response.ts';

type Params = { ok: true; params: ParamMap } | { ok: false; params: ParamMap; failure: ApiFailure };

function searchParams(text: string): ParamMap {
  const params: ParamMap = {};
  // The first occurrence wins, so a repeated key cannot swap the value that was signed.
  for (const [key, value] of new URLSearchParams(text)) if (!(key in params)) params[key] = value;
  return params;
}

function bodyParams(request: FastifyRequest): ParamMap | undefined {
  const raw = typeof request.body === 'string' ? request.body : '';
  if (raw === '') return {};
  if (!String(request.headers['content-type'] ?? '').includes('json')) return searchParams(raw);
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as ParamMap) : undefined;
  } catch {
    return undefined;
  }
}

/** Query parameters first (where the SDK puts the public ones), then the body fills in the rest. */
export function collectV2Params(request: FastifyRequest): Params {
  const query = searchParams(request.url.split('?')[1] ?? '');
  const body = bodyParams(request);
  if (!body) {
    return { ok: false, params: query, failure: invalidArgument(GATEWAY_SUB_CODES.invalidParameter, 'the body is not valid') };
  }
  return { ok: true, params: { ...body, ...query } };
}

export function sendV2(reply: FastifyReply, method: unknown, payload: Record<string, unknown>, opts: GatewayPluginOptions): FastifyReply {
  const text = buildV2ResponseBody(method, payload, opts.platformPrivateKeyPem);
  // The SDK reads a version 2 answer only from HTTP 200; failures travel inside the body.
  return reply.code(200).type('application/json; charset=utf-8').send(text);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function handleV2(request: FastifyRequest, reply: FastifyReply, opts: GatewayPluginOptions): Promise<FastifyReply> {
  const collected = collectV2Params(request);
  const { params } = collected;
  if (!collected.ok) return sendV2(reply, params.method, v2Failure(collected.failure), opts);
  // Public parameters reach the app directory before any handler: hold them to the text rule first.
  const unclean = uncleanParameter(params);
  if (unclean) return sendV2(reply, params.method, v2Failure(unclean), opts);
  const windowMs = opts.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS;
  const auth = await authenticateV2(params, { apps: opts.apps, nowMs: opts.clock.now(), windowMs });
  if (!auth.ok) return sendV2(reply, params.method, v2Failure(auth.failure), opts);
  const biz = parseBizContent(params.biz_content);
  if (!biz.ok) return sendV2(reply, auth.method, v2Failure(biz.failure), opts);
  const context = {
    method: auth.method,
    protocol: 'v2' as const,
    notifyUrl: optionalText(params.notify_url),
    returnUrl: optionalText(params.return_url),
    origin: `${request.protocol}://${request.host}`,
  };
  const result = await dispatch(opts.handlers, auth.appId, biz.biz, context, request.log);
  if (result.ok && result.redirectTo) return reply.redirect(result.redirectTo, 302);
  return sendV2(reply, auth.method, result.ok ? v2Success(result.body) : v2Failure(result), opts);
}
