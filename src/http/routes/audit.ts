// The platform audit log for operators: read in pages, and fed with every operator action.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { AuditEntry } from '../../modules/audit/audit-chain.ts';
import type { AuditInput } from '../../modules/audit/audit-log.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { AuditPageOutput, AuditQuery } from '../schemas/audit.ts';

const tags = ['admin'];
const security = [{ operator: [] }];
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function auditRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/admin/audit',
      {
        schema: {
          tags,
          security,
          summary: 'The platform audit log, oldest first, paged by entry number',
          querystring: AuditQuery,
          response: { 200: AuditPageOutput, 400: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.audit.page(BigInt(request.query.after ?? 0), request.query.limit);
        return { entries: page.entries.map(entryToWire), next: page.next?.toString() ?? null };
      },
    );
  };
}

/** Requests whose entry a route already appended in the transaction of the change it made. */
const loggedByRoute = new WeakSet<FastifyRequest>();

/** The entry for an operator's request answered `statusCode`; one shape whoever appends it. */
export function operatorRequestEntry(request: FastifyRequest, statusCode: number): AuditInput {
  const refused = statusCode === 401;
  return {
    kind: refused ? 'operator.token_refused' : 'operator.request',
    actor: refused ? `address ${request.ip}` : 'operator',
    subject: request.routeOptions.url ?? request.url,
    detail: `${request.method} ${request.url} -> ${statusCode}`,
  };
}

/**
 * Tells the onSend hook that the route appended `request`'s entry (saying `statusCode`) in the same
 * transaction as the change, committed and durable before the answer: the hook does not append a
 * second one, and the request costs no commit of its own. Only a route that answers `statusCode`
 * once its change is durable may say so.
 */
export function markLoggedByRoute(request: FastifyRequest): void {
  loggedByRoute.add(request);
}

/**
 * An onSend hook for the operator routes: every change an operator asks for is logged with its
 * outcome (the body is not: it may carry keys), and so is every refused operator token, before the
 * answer leaves, so an operator who has an answer has an entry. Reads and requests turned away by
 * the guess limit (429) are not logged, so guessing cannot flood the log.
 */
export function logOperatorActions(app: Formica) {
  return async <T>(request: FastifyRequest, reply: FastifyReply, payload: T): Promise<T> => {
    const refused = reply.statusCode === 401;
    if (reply.statusCode === 429 || (!refused && READS.has(request.method))) return payload;
    if (loggedByRoute.has(request) && reply.statusCode === 200) return payload;
    try {
      await app.audit.record(operatorRequestEntry(request, reply.statusCode));
    } catch (error) {
      request.log.error({ err: error }, 'could not append to the audit log');
    }
    return payload;
  };
}

function entryToWire(e: AuditEntry) {
  return {
    seq: e.seq.toString(),
    kind: e.kind,
    actor: e.actor,
    subject: e.subject,
    detail: e.detail,
    created_at: new Date(Number(e.createdAt)).toISOString(),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}
