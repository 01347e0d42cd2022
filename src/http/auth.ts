// Operator authentication: a Bearer token compared in constant time against its stored hash.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../engine/clock.ts';
import type { AttemptThrottle, ThrottlePolicy } from '../modules/identity/attempt-throttle.ts';
import { unauthorized } from './errors.ts';

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/** Wrong operator tokens per client address: five, then waits from 30 s doubling to 15 minutes. */
export const OPERATOR_GUESS_POLICY: ThrottlePolicy = { free: 5, firstDelayMs: 30_000, maxDelayMs: 15 * 60_000, forgetAfterMs: 24 * 3600_000 };

/** Addresses remembered per process; past this many, the expired ones are forgotten first. */
const MAX_SUSPECTS = 10_000;

function forgetPast(suspects: Map<string, number>, now: number): void {
  for (const [address, until] of suspects) if (until <= now) suspects.delete(address);
}

export interface OperatorGuessLimits {
  readonly attempts: AttemptThrottle;
  readonly clock: Clock;
}

/**
 * Is `token` the operator token? The first time it is presented it is hashed and compared with the
 * stored hash; from then on its bytes are kept and later tokens are compared with them directly, in
 * constant time, which spares a SHA-256 per request. The stored hash is fixed for the process's
 * life (a new token takes a restart), so the kept token never outlives the credential.
 */
export function operatorTokenCheck(tokenHash: Buffer): (token: string) => boolean {
  let known: Buffer | undefined;
  return (token) => {
    const presented = Buffer.from(token);
    if (known) return presented.length === known.length && timingSafeEqual(presented, known);
    if (!timingSafeEqual(sha256(token), tokenHash)) return false;
    known = presented;
    return true;
  };
}

/**
 * A preHandler that admits only callers presenting the operator token. Wrong tokens are counted per
 * address in the database (every process sees them) and answered 429 once the address must wait.
 * The right token costs no database read, except from an address this process has seen guessing:
 * there it waits out the block too, so a guess that happens to be right is not confirmed early.
 */
export function requireOperator(tokenHash: Buffer, limits: OperatorGuessLimits) {
  const suspects = new Map<string, number>();
  const isOperatorToken = operatorTokenCheck(tokenHash);
  return async (request: FastifyRequest): Promise<void> => {
    const key = `operator-address:${request.ip}`;
    const token = bearerToken(request);
    if (token && isOperatorToken(token)) {
      if ((suspects.get(request.ip) ?? 0) > limits.clock.now()) await limits.attempts.check(key);
      return;
    }
    if (suspects.size >= MAX_SUSPECTS) forgetPast(suspects, limits.clock.now());
    suspects.set(request.ip, limits.clock.now() + OPERATOR_GUESS_POLICY.forgetAfterMs);
    await limits.attempts.admit(key, OPERATOR_GUESS_POLICY);
    throw unauthorized('an operator Bearer token is required');
  };
}
