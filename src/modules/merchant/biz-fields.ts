// Reading the business parameters (biz_content / the v3 JSON body): each reader returns the value
// or throws a FieldFailure carrying the protocol's 40001/40002 answer, so bad input is never a 500.
import { MoneyError } from '../../money/money-errors.ts';
import { parseMinor } from '../../money/amount.ts';
import { findUncleanText, normalizeText, TEXT_PROBLEM_MESSAGES, textProblem } from '../../text/clean-text.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { BizParams } from './gateway-types.ts';
import { type ApiFailure, GATEWAY_SUB_CODES, invalidArgument, missingArgument } from './protocol/errors.ts';

export class FieldFailure extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.sub_msg);
  }
}

const missing = (name: string) => new FieldFailure(missingArgument(GATEWAY_SUB_CODES.missingParameter, `${name} is required`));
const invalid = (name: string, why: string) => new FieldFailure(invalidArgument(GATEWAY_SUB_CODES.invalidParameter, `${name} ${why}`));

/**
 * The first parameter anywhere in `params` whose text breaks Formica's text rule, as the open API's
 * invalid-parameter answer (40002), so no control character reaches a handler or the store.
 */
export function uncleanParameter(params: Record<string, unknown>): ApiFailure | undefined {
  const where = findUncleanText(params);
  return where === undefined ? undefined : invalidArgument(GATEWAY_SUB_CODES.invalidParameter, `${where} must not contain control characters`);
}

/** Numbers are accepted as the SDKs let merchants write them (total_amount: 9.9) and read as text. */
function rawText(biz: BizParams, name: string): string | undefined {
  const value = biz[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    const problem = textProblem(value);
    if (problem) throw invalid(name, TEXT_PROBLEM_MESSAGES[problem]);
    return normalizeText(value);
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw invalid(name, 'must be a string');
}

export function optionalText(biz: BizParams, name: string, maxLength: number): string | undefined {
  const value = rawText(biz, name);
  if (value !== undefined && value.length > maxLength) throw invalid(name, `must be at most ${maxLength} characters`);
  return value;
}

export function requiredText(biz: BizParams, name: string, maxLength: number): string {
  const value = optionalText(biz, name, maxLength);
  if (value === undefined) throw missing(name);
  return value;
}

/** One of the listed values, or undefined when absent. */
export function optionalChoice<T extends string>(biz: BizParams, name: string, choices: readonly T[]): T | undefined {
  const value = rawText(biz, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw invalid(name, `must be one of ${choices.join(', ')}`);
  return value as T;
}

export function requiredChoice<T extends string>(biz: BizParams, name: string, choices: readonly T[]): T {
  const value = optionalChoice(biz, name, choices);
  if (value === undefined) throw missing(name);
  return value;
}

const MIN_AMOUNT_MINOR = 1n;
/** Policy from the trade API: 100000000 yuan at most per trade. */
const MAX_AMOUNT_MINOR = 100_000_000_00n;

/** Decimal yuan with at most 2 places, from 0.01 to 100000000, as bigint fen. */
export function requiredAmount(biz: BizParams, name: string): bigint {
  const text = rawText(biz, name);
  if (text === undefined) throw missing(name);
  let minor: bigint;
  try {
    minor = parseMinor(text, PLATFORM_CURRENCY);
  } catch (error) {
    if (error instanceof MoneyError) throw invalid(name, 'must be a decimal amount in yuan with at most 2 places');
    throw error;
  }
  if (minor < MIN_AMOUNT_MINOR || minor > MAX_AMOUNT_MINOR) throw invalid(name, 'must be between 0.01 and 100000000');
  return minor;
}

/** trade_no or out_trade_no; trade_no wins when both are given, as in the public API. */
export function requiredTradeRef(biz: BizParams): { tradeNo?: string; outTradeNo?: string } {
  const tradeNo = optionalText(biz, 'trade_no', 64);
  const outTradeNo = optionalText(biz, 'out_trade_no', 64);
  if (tradeNo === undefined && outTradeNo === undefined) throw missing('trade_no or out_trade_no');
  return { tradeNo, outTradeNo };
}
