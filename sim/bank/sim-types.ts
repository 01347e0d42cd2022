// The simulator's vocabulary: bank configuration, what it records, and its refusal codes.

/** One simulated bank. Rates are probabilities in [0, 1]; failureRate + timeoutRate must not exceed 1. */
export interface BankConfig {
  /** Bank code used in URLs, e.g. 'ICBC'. */
  readonly code: string;
  readonly name?: string;
  /** Added to every answer of this bank (real time: it is network latency). */
  readonly latencyMs?: number;
  /** Share of debits/credits declined with reason 'bank_declined' (nothing applied). */
  readonly failureRate?: number;
  /** Share of debits/credits applied but answered only after lateAnswerMs ("late answer"). */
  readonly timeoutRate?: number;
  /** How long a late answer is held; longer than any client timeout. */
  readonly lateAnswerMs?: number;
  /** Card number prefixes (BINs) this bank serves; empty or absent means every card. */
  readonly binPrefixes?: readonly string[];
  /** Currencies the bank moves; default CNY only. */
  readonly currencies?: readonly string[];
}

export interface BankSettings {
  readonly code: string;
  readonly name: string;
  readonly latencyMs: number;
  readonly failureRate: number;
  readonly timeoutRate: number;
  readonly lateAnswerMs: number;
  readonly binPrefixes: readonly string[];
  readonly currencies: readonly string[];
}

export const DEFAULT_BANKS: readonly BankConfig[] = [
  { code: 'ICBC', name: 'Industrial and Commercial Bank of China' },
  { code: 'CCB', name: 'China Construction Bank' },
  { code: 'CMB', name: 'China Merchants Bank' },
];

export type OperationType = 'debit' | 'credit';
export type OperationStatus = 'succeeded' | 'failed';

/** Why the bank declined a debit or credit it received (recorded, replayed, on the statement). */
export type DeclineReason = 'bank_declined' | 'insufficient_funds' | 'token_unknown' | 'currency_not_supported';

export interface OperationRecord {
  readonly bank: string;
  readonly requestId: string;
  readonly bankRef: string;
  readonly type: OperationType;
  readonly token: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly status: OperationStatus;
  readonly reason?: DeclineReason;
  /** Milliseconds since the epoch, from the injected clock. */
  readonly time: number;
  /** The statement day (YYYY-MM-DD) the operation belongs to. */
  readonly day: string;
}

/** Refusals: the request was not acted upon (apart from request_id_reused, where another one was). */
export type SimErrorCode =
  | 'invalid_request'
  | 'bank_unknown'
  | 'card_invalid'
  | 'card_not_served'
  | 'card_unknown'
  | 'holder_mismatch'
  | 'binding_unknown'
  | 'binding_expired'
  | 'binding_locked'
  | 'sms_code_wrong'
  | 'request_id_reused'
  | 'operation_unknown';

export type SimResult<T> = { ok: true; value: T } | { ok: false; code: SimErrorCode; message: string };

export function ok<T>(value: T): SimResult<T> {
  return { ok: true, value };
}

export function refuse<T>(code: SimErrorCode, message: string): SimResult<T> {
  return { ok: false, code, message };
}
