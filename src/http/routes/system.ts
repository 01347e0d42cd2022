// Liveness (open, revealing nothing about anyone's money) and the Prometheus metrics, which name
// banks, volumes and alerts: server.ts registers them behind the operator token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { registry } from '../../engine/metrics.ts';

export function systemRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    const Health = z.object({ status: z.enum(['ok', 'degraded', 'failed']), store: z.string(), detail: z.string().optional() });
    const summary = "Liveness: 503 when the store's machinery failed and the process needs a restart";
    server.get('/health', { schema: { tags: ['system'], summary, response: { 200: Health, 503: Health } } }, async (_request, reply) => {
      const health = app.store.health?.() ?? { status: 'ok' as const };
      if (health.status === 'failed') reply.status(503);
      return { ...health, store: app.store.kind };
    });
  };
}

export function metricsRoutes(): FastifyPluginAsyncZod {
  return async (server) => {
    const summary = 'Prometheus metrics (operator token: a scrape job sets it as its bearer credentials)';
    server.get('/metrics', { schema: { tags: ['system'], summary, security: [{ operator: [] }] } }, async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  };
}
