// Why a decimal amount was refused. Codes are stable and reach API clients as they are.
import { DomainError } from '../domain-error.ts';

export type MoneyErrorCode = 'amount_malformed' | 'amount_negative' | 'amount_too_many_decimals' | 'amount_out_of_range' | 'currency_unknown';

export class MoneyError extends DomainError<MoneyErrorCode> {}
