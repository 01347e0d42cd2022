// Liveness (open, revealing nothing about anyone's money) and the Prometheus metrics, which name
// banks, volumes and alerts: server.ts registers them behind the operator token.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { registry } from '../../engine/metrics.ts';

export function systemRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/health',
      { schema: { tags: ['system'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok'), store: z.string() }) } } },
      async () => ({ status: 'ok' as const, store: app.store.kind }),
    );
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
