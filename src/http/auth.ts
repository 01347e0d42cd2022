// Operator authentication: a Bearer token compared in constant time against its stored hash.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
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

/** A preHandler that admits only callers presenting the operator token. */
export function requireOperator(tokenHash: Buffer) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request);
    if (!token || !timingSafeEqual(sha256(token), tokenHash)) throw unauthorized('an operator Bearer token is required');
  };
}
