// What the bank client returns. Every call ends in exactly one of a few shapes; none throws for an
// expected outcome. Above all, a money call whose answer never came back is `unknown`: the bank may
// or may not have moved the money, and only `query` or the next statement may say which.
import type { StatementLine } from './statement-csv.ts';

export interface BankClientOptions {
  /** Where the banks listen, e.g. the simulator's url. Each call names its bank. */
  readonly baseUrl: string;
  /** After this long a call gives up and answers `unknown`. */
  readonly timeoutMs: number;
}

/** No usable answer: timeout, connection failure, or a 5xx/garbled answer. Never a guess. */
export interface Unknown {
  readonly status: 'unknown';
  readonly cause: 'timeout' | 'network' | 'bank_error';
  readonly message: string;
}

/** The bank answered and refused; nothing was done (e.g. `sms_code_wrong`, `card_invalid`). */
export interface Refused {
  readonly status: 'refused';
  readonly code: string;
  readonly message: string;
}

export interface BindRequest {
  readonly bank: string;
  readonly cardNo: string;
  readonly name: string;
  readonly idNo: string;
  readonly phone: string;
}

export type BindResult = { readonly status: 'sms_sent'; readonly bindingRequestId: string; readonly expiresAt: number } | Refused | Unknown;

export interface ConfirmRequest {
  readonly bank: string;
  readonly bindingRequestId: string;
  readonly smsCode: string;
}

/** Keep `token` and `last4`; the card number itself is never stored. */
export type ConfirmResult = { readonly status: 'bound'; readonly token: string; readonly last4: string } | Refused | Unknown;

export interface MoneyRequest {
  readonly bank: string;
  readonly token: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** The idempotency key: resend the same id (never a new one) to retry the same operation. */
  readonly requestId: string;
}

/**
 * `failed` is definitive: the bank declined and moved nothing. `reason` is the bank's reason
 * (`insufficient_funds`, `token_unknown`, `currency_not_supported`, `bank_declined`) or, when the
 * bank refused the request before recording it, its refusal code (`invalid_request`, `bank_unknown`);
 * `bankRef` is present when the bank recorded the operation.
 */
export type MoneyResult =
  | { readonly status: 'succeeded'; readonly bankRef: string }
  | { readonly status: 'failed'; readonly reason: string; readonly bankRef?: string }
  | Unknown;

/** An operation as the bank recorded it: a statement line, with the reason of a decline. */
export interface BankOperation extends StatementLine {
  readonly reason?: string;
}

/**
 * `not_found`: the bank has no operation under this request id. Right after a timeout this can
 * also mean the request is still on its way; settle such cases by the statement, not at once.
 */
export type QueryResult = { readonly status: 'found'; readonly operation: BankOperation } | { readonly status: 'not_found' } | Refused | Unknown;

export type StatementResult =
  | { readonly status: 'ok'; readonly bank: string; readonly date: string; readonly lines: StatementLine[]; readonly csv: string }
  | Refused
  | Unknown;

export interface BankClient {
  bind(request: BindRequest): Promise<BindResult>;
  confirm(request: ConfirmRequest): Promise<ConfirmResult>;
  /** Quick-pay debit of the user's card (top-up, direct card payment). */
  debit(request: MoneyRequest): Promise<MoneyResult>;
  /** Payout credit to the user's card (withdrawal, refund to card). */
  credit(request: MoneyRequest): Promise<MoneyResult>;
  query(bank: string, requestId: string): Promise<QueryResult>;
  /** The bank's statement of one day (YYYY-MM-DD in the bank's time zone). */
  statement(bank: string, date: string): Promise<StatementResult>;
}

/** A programmer error, not an outcome: e.g. one request id reused for a different operation. */
export class BankClientError extends Error {
  override readonly name = 'BankClientError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
