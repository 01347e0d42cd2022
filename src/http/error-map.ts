// The one place that maps whatever a request threw to an HTTP status and `{code, message}`.
// User input never causes a 500: validation, parsing and domain errors all land on a 4xx here.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../domain-error.ts';
import { ApiError } from './errors.ts';

export interface ErrorBody {
  code: string;
  message: string;
}

/** Domain errors carry a `code`; their HTTP status is decided here, once. */
const STATUS_BY_CODE: Record<string, number> = {
  batch_too_large: 413,
  // credit (insufficient_funds and request_id_reused as for the wallet)
  no_credit: 422,
  exceeds_line: 422,
  invalid_term: 422,
  loan_not_found: 404,
  loan_closed: 409,
  repayment_exceeds_owed: 422,
  paylater_suspended: 422,
  statement_not_found: 404,
  already_instalments: 409,
  statement_past_due: 422,
  statement_paid: 409,
  not_a_merchant_loan: 422,
  month_not_closed: 409,
  // identity
  phone_taken: 409,
  invalid_credentials: 401,
  session_invalid: 401,
  user_not_found: 404,
  verification_source_unknown: 400,
  too_many_attempts: 429,
  payment_pin_locked: 403,
  current_pin_required: 400,
  password_required: 400,
  password_wrong: 403,
  session_not_found: 404,
  sms_unavailable: 503,
  sms_code_wrong: 403,
  sms_code_expired: 403,
  source_unavailable: 503,
  id_number_not_on_file: 409,
  id_number_wrong: 403,
  // wallet
  verification_required: 403,
  limit_exceeded: 422,
  insufficient_funds: 422,
  recipient_not_found: 404,
  self_transfer: 400,
  request_id_reused: 409,
  payment_pin_wrong: 403,
  currency_not_supported: 400,
  transfer_failed: 422,
  card_not_found: 404,
  card_not_bound: 409,
  bank_refused: 422,
  bank_unavailable: 503,
  channels_not_configured: 501,
  operation_not_found: 404,
  // reconciliation
  invalid_date: 400,
  day_not_closed: 409,
  reconciliation_not_found: 404,
  reconciliation_item_not_found: 404,
  resolution_not_allowed: 409,
  // merchant
  merchant_not_found: 404,
  public_key_invalid: 400,
  merchant_unauthorized: 401,
  bill_date_invalid: 400,
  bill_not_ready: 409,
  merchant_role_forbidden: 403,
  staff_exists: 409,
  staff_not_found: 404,
  last_owner: 409,
  application_not_found: 404,
  application_decided: 409,
  application_check_failed: 409,
  payout_account_missing: 409,
  // sandbox
  clock_backwards: 409,
  // fund (verification_required, insufficient_funds, invalid_date and request_id_reused are above)
  fund_not_found: 404,
  fund_exists: 409,
  invalid_fund: 400,
  invalid_income: 400,
  income_already_published: 409,
  income_date_closed: 409,
  income_not_published: 404,
  accrual_not_due: 409,
  invalid_answers: 400,
  risk_profile_required: 422,
  suitability_mismatch: 422,
  amount_below_minimum: 422,
  purchase_cap_exceeded: 422,
  insufficient_shares: 422,
  fast_redemption_limit: 422,
  // social
  self_friend: 400,
  friend_limit: 422,
  group_not_found: 404,
  group_full: 422,
  not_a_member: 403,
  // red packets
  packet_limit: 422,
  packet_not_found: 404,
  already_opened: 409,
  packet_finished: 409,
  packet_expired: 410,
  // the campaign (currency_not_supported, user_not_found and request_id_reused are above)
  campaign_not_found: 404,
  campaign_exists: 409,
  campaign_closed: 409,
  invalid_card_odds: 400,
  invalid_daily_card_cap: 400,
  invalid_reveal_time: 400,
  daily_card_cap: 429,
  not_a_friend: 403,
  card_not_held: 409,
  // bills (currency_not_supported, request_id_reused and insufficient_funds are above)
  biller_not_found: 404,
  bill_not_found: 404,
  biller_unavailable: 503,
  invalid_amount: 400,
  card_funding_failed: 422,
  card_funding_pending: 409,
  payment_not_found: 404,
  receipt_not_ready: 409,
  autopay_not_found: 404,
  invalid_day_of_month: 400,
  // return-shipping insurance
  not_insurable: 409,
  // trade (the public ACQ sub_codes without `ACQ.`)
  TRADE_NOT_EXIST: 404,
  CONTEXT_INCONSISTENT: 409,
  TRADE_STATUS_ERROR: 409,
  TRADE_HAS_SUCCESS: 409,
  TRADE_HAS_CLOSE: 409,
  TRADE_NOT_ALLOW_REFUND: 409,
  REFUND_AMT_NOT_EQUAL_TOTAL: 400,
  REFUND_AMT_EXCEED: 422,
  BUYER_BALANCE_NOT_ENOUGH: 422,
  BUYER_ENABLE_STATUS_FORBID: 403,
  SELLER_BALANCE_NOT_ENOUGH: 422,
  PAYMENT_AUTH_CODE_INVALID: 400,
  INVALID_PARAMETER: 400,
  NOTIFICATION_NOT_EXIST: 404,
  SYSTEM_ERROR: 503,
};

/** A domain refusal with extra machine-readable fields (e.g. which limit, used, left). */
class DomainApiError extends ApiError {
  constructor(
    status: number,
    code: string,
    message: string,
    readonly fields: Record<string, string>,
  ) {
    super(status, code, message);
  }
}

export function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (error instanceof DomainError) return new DomainApiError(STATUS_BY_CODE[error.code] ?? 400, error.code, error.message, error.fields);
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
    const fields = apiError instanceof DomainApiError ? apiError.fields : {};
    if (fields.retry_after) reply.header('retry-after', fields.retry_after);
    reply.status(apiError.status).send({ ...fields, code: apiError.code, message: apiError.message } satisfies ErrorBody);
    return;
  }
  request.log.error({ err: error }, 'request failed');
  reply.status(500).send({ code: 'internal_error', message: 'the request failed inside Formica; it has been logged' });
}
