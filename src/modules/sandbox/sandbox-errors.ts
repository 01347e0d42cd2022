// The sandbox's refusals; http/error-map.ts gives each code its status.
import { DomainError } from '../../domain-error.ts';

export type SandboxErrorCode = 'clock_backwards';

export class SandboxError extends DomainError<SandboxErrorCode> {}
