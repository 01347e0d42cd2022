// How the simulator's answers look on the wire: snake_case JSON, decimal-string amounts, ISO times,
// and one table from refusal code to HTTP status.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { formatMinor, requireCurrency } from '../../src/money/amount.ts';
import type { BankSettings, OperationRecord, SimErrorCode, SimResult } from './sim-types.ts';

const STATUS_BY_CODE: Record<SimErrorCode, number> = {
  invalid_request: 400,
  bank_unknown: 404,
  card_invalid: 422,
  card_not_served: 422,
  card_unknown: 404,
  holder_mismatch: 422,
  binding_unknown: 404,
  binding_expired: 422,
  binding_locked: 422,
  sms_code_wrong: 422,
  request_id_reused: 409,
  operation_unknown: 404,
};

/** Sends a success as `toJson(value)`, a refusal as `{code, message}` with its status. */
export function sendResult<T>(reply: FastifyReply, result: SimResult<T>, toJson: (value: T) => unknown) {
  if (result.ok) return reply.send(toJson(result.value));
  return reply.status(STATUS_BY_CODE[result.code]).send({ code: result.code, message: result.message });
}

export function operationJson(op: OperationRecord) {
  return {
    request_id: op.requestId,
    bank_ref: op.bankRef,
    type: op.type,
    amount: formatMinor(op.amountMinor, requireCurrency(op.currency)),
    currency: op.currency,
    status: op.status,
    ...(op.reason ? { reason: op.reason } : {}),
    time: new Date(op.time).toISOString(),
  };
}

export function settingsJson(s: BankSettings) {
  return {
    code: s.code,
    name: s.name,
    latency_ms: s.latencyMs,
    failure_rate: s.failureRate,
    timeout_rate: s.timeoutRate,
    late_answer_ms: s.lateAnswerMs,
    bin_prefixes: s.binPrefixes,
    currencies: s.currencies,
  };
}

/** Validation and body-parsing errors become `{code: 'invalid_request'}`; anything else is a 500. */
export function handleError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    return reply.status(400).send({ code: 'invalid_request', message: error.message });
  }
  reply.log.error(error);
  return reply.status(500).send({ code: 'internal', message: 'internal error' });
}
