// The HTTP shell: Fastify with zod schemas (validation and the OpenAPI document from one
// source), one error handler, and thin route plugins over the services in `Formica`.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Formica } from '../app.ts';
import { requireOperator } from './auth.ts';
import { handleError } from './error-map.ts';
import { adminRoutes } from './routes/admin.ts';
import { cardAdminRoutes, cardRoutes } from './routes/cards.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { systemRoutes } from './routes/system.ts';
import { userRoutes } from './routes/users.ts';
import { walletRoutes } from './routes/wallet.ts';

export interface ServerOptions {
  readonly operatorTokenHash: Buffer;
  readonly logger?: boolean;
}

/** Enough for a full batch of 8189 transfers with long ids. */
const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

export async function buildServer(app: Formica, options: ServerOptions): Promise<FastifyInstance> {
  const server = Fastify({
    logger: options.logger ? { level: process.env.LOG_LEVEL ?? 'warn', redact: ['req.headers.authorization'] } : false,
    bodyLimit: BODY_LIMIT_BYTES,
  }).withTypeProvider<ZodTypeProvider>();
  server.setValidatorCompiler(validatorCompiler);
  server.setSerializerCompiler(serializerCompiler);
  server.setErrorHandler(handleError);
  server.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` });
  });

  await server.register(swagger, {
    openapi: {
      info: { title: 'Formica API', version: '0.1.0', description: 'Payments and inclusive finance over one double-entry ledger' },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' }, session: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  await server.register(swaggerUi, { routePrefix: '/docs' });
  server.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  await server.register(systemRoutes(app));
  await server.register(async (operator) => {
    operator.addHook('preHandler', requireOperator(options.operatorTokenHash));
    await operator.register(ledgerRoutes(app));
    await operator.register(adminRoutes(app));
    await operator.register(cardAdminRoutes(app));
  });
  await server.register(userRoutes(app));
  await server.register(walletRoutes(app));
  await server.register(cardRoutes(app));
  return server;
}
