// The HTTP shell: Fastify with zod schemas (validation and the OpenAPI document from one
// source), one error handler, and thin route plugins over the services in `Formica`.
import compress from '@fastify/compress';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Formica } from '../app.ts';
import { gatewayPlugin } from '../modules/merchant/gateway-plugin.ts';
import { BillLinks } from '../modules/merchant/bill-links.ts';
import { tradeApiHandlers } from '../modules/merchant/trade-handlers.ts';
import { requireOperator } from './auth.ts';
import { handleError } from './error-map.ts';
import { adminRoutes } from './routes/admin.ts';
import { auditRoutes, logOperatorActions } from './routes/audit.ts';
import { cardAdminRoutes, cardRoutes } from './routes/cards.ts';
import { checkoutRoutes } from './routes/checkout.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { reconciliationRoutes } from './routes/reconciliation.ts';
import { registerSandbox } from './routes/sandbox.ts';
import { merchantAdminRoutes, merchantRoutes } from './routes/merchants.ts';
import { merchantApplicationAdminRoutes, merchantConsoleRoutes } from './routes/merchant-console.ts';
import { metricsRoutes, systemRoutes } from './routes/system.ts';
import { redPacketRoutes } from './routes/redpacket.ts';
import { campaignAdminRoutes, campaignRoutes } from './routes/campaign.ts';
import { billAdminRoutes, billRoutes } from './routes/bills.ts';
import { insuranceAdminRoutes, insuranceRoutes } from './routes/insurance.ts';
import { socialRoutes } from './routes/social.ts';
import { creditAdminRoutes, creditRoutes, payLaterRoutes } from './routes/credit.ts';
import { creditViewRoutes } from './routes/credit-views.ts';
import { tradeAdminRoutes, tradeRoutes } from './routes/trades.ts';
import { fundAdminRoutes, fundRoutes } from './routes/fund.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { userRoutes } from './routes/users.ts';
import { walletRoutes } from './routes/wallet.ts';
import { webRoutes } from './routes/web.ts';

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

  // Every text response (the API's JSON, the pages, the web app's bundles) goes out gzip or brotli
  // compressed when the client asks: the wallet's first load on a phone is counted compressed.
  await server.register(compress, { global: true, encodings: ['br', 'gzip'] });
  await server.register(swagger, {
    openapi: {
      info: { title: 'Formica API', version: '0.1.0', description: 'Payments and inclusive finance over one double-entry ledger' },
      components: {
        securitySchemes: {
          operator: { type: 'http', scheme: 'bearer' },
          session: { type: 'http', scheme: 'bearer' },
          merchant: {
            type: 'apiKey',
            in: 'header',
            name: 'authorization',
            description: 'ALIPAY-SHA256withRSA app_id=...,nonce=...,timestamp=...,sign=... (as the open API, version 3)',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await server.register(swaggerUi, { routePrefix: '/docs' });
  server.get('/openapi.json', { schema: { hide: true } }, async () => server.swagger());

  await server.register(systemRoutes(app));
  await server.register(async (operator) => {
    operator.addHook('preHandler', requireOperator(options.operatorTokenHash, { attempts: app.identity.attempts, clock: app.clock }));
    operator.addHook('onSend', logOperatorActions(app));
    await operator.register(auditRoutes(app));
    await operator.register(metricsRoutes());
    await operator.register(ledgerRoutes(app));
    await operator.register(adminRoutes(app));
    await operator.register(cardAdminRoutes(app));
    await operator.register(reconciliationRoutes(app));
    await operator.register(merchantAdminRoutes(app));
    await operator.register(merchantApplicationAdminRoutes(app));
    await operator.register(tradeAdminRoutes(app));
    await operator.register(fundAdminRoutes(app));
    await operator.register(billAdminRoutes(app));
    await operator.register(insuranceAdminRoutes(app));
    await operator.register(creditAdminRoutes(app));
    await operator.register(campaignAdminRoutes(app));
    await operator.register(dashboardRoutes(app));
  });
  await server.register(userRoutes(app));
  await server.register(sessionRoutes(app));
  await server.register(walletRoutes(app));
  await server.register(cardRoutes(app));
  await server.register(tradeRoutes(app));
  await server.register(fundRoutes(app));
  await server.register(socialRoutes(app));
  await server.register(redPacketRoutes(app));
  await server.register(campaignRoutes(app));
  await server.register(merchantConsoleRoutes(app));
  await server.register(billRoutes(app));
  await server.register(insuranceRoutes(app));
  await server.register(creditRoutes(app));
  await server.register(payLaterRoutes(app));
  await server.register(creditViewRoutes(app));
  // Sandbox mode only, and before the gateway: it records the gateway's exchanges for the inspector.
  await registerSandbox(server, app, options.operatorTokenHash);
  // At the root, unprefixed: version 3 signatures cover the request path.
  await server.register(gatewayPlugin, {
    apps: app.merchants,
    handlers: tradeApiHandlers(app.trades, app.merchants, new BillLinks(app.platformKeys, app.clock)),
    platformPrivateKeyPem: app.platformKeys.privateKeyPem(),
    // Merchants stamp requests with their own time, which the sandbox clock does not move.
    clock: app.sandbox?.wallClock ?? app.clock,
    nonces: app.merchants.nonces,
  });
  await server.register(merchantRoutes(app));
  await server.register(checkoutRoutes(app));
  await server.register(webRoutes());
  return server;
}
