// Return-shipping insurance result codes; http/error-map.ts decides their HTTP status.
import { DomainError } from '../../domain-error.ts';

export type InsuranceErrorCode = 'not_insurable' | 'insufficient_funds' | 'invalid_date';

export class InsuranceError extends DomainError<InsuranceErrorCode> {}
