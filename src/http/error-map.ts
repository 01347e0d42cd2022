// The one place that maps whatever a request threw to an HTTP status and `{code, message}`.
// User input never causes a 500: validation, parsing and domain errors all land on a 4xx here.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { RequestTooLargeError } from '../engine/ledger-engine.ts';
import { MoneyError } from '../money/money-errors.ts';
import { ApiError } from './errors.ts';

export interface ErrorBody {
  code: string;
  message: string;
}

/** Domain errors carry a `code`; their HTTP status is decided here, once. */
const STATUS_BY_CODE: Record<string, number> = {
  batch_too_large: 413,
};

export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof MoneyError) return new ApiError(400, error.code, error.message);
  if (error instanceof RequestTooLargeError) return new ApiError(STATUS_BY_CODE[error.code], error.code, error.message);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const issue = error.validation[0];
    const where = issue?.instancePath ? issue.instancePath.replace(/^\//, '').replaceAll('/', '.') : error.validationContext;
    return new ApiError(400, 'invalid_request', `${where ?? 'request'}: ${issue?.message ?? 'is invalid'}`);
  }
  const fastifyError = error as FastifyError;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new ApiError(status, fastifyCode(fastifyError), fastifyError.message);
  }
  return null;
}

function fastifyCode(error: FastifyError): string {
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) return 'malformed_json';
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'body_too_large';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported_media_type';
  if (error.statusCode === 404) return 'not_found';
  return 'bad_request';
}

export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toApiError(error);
  if (apiError) {
    reply.status(apiError.status).send({ code: apiError.code, message: apiError.message } satisfies ErrorBody);
    return;
  }
  request.log.error({ err: error }, 'request failed');
  reply.status(500).send({ code: 'internal_error', message: 'the request failed inside Formica; it has been logged' });
}
