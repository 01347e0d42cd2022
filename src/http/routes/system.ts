// Liveness and metrics: unauthenticated, and revealing nothing about anyone's money.
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
    server.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  };
}
