// The sandbox over HTTP, registered only in sandbox mode (elsewhere every path here is a 404):
// the clock and the faults behind the operator token, the inspector page, and the hook that
// records each merchant API exchange for it.
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { FAULT_KINDS, FAULT_TARGETS, type PendingFault } from '../../modules/sandbox/faults.ts';
import { GatewayLog, isGatewayPath } from '../../modules/sandbox/gateway-log.ts';
import { inspectorData } from '../../modules/sandbox/inspector.ts';
import { renderInspector } from '../../modules/sandbox/inspector-page.ts';
import type { Sandbox } from '../../modules/sandbox/sandbox.ts';
import { requireOperator } from '../auth.ts';
import { ErrorOutput } from '../schemas/common.ts';

const tags = ['sandbox'];
const security = [{ operator: [] }];
/** One jump is at most this long: enough for any timer, bounded so a typo cannot run for hours. */
const MAX_ADVANCE_S = 400 * 24 * 3600;

const ClockOutput = z.object({ now: z.string().meta({ example: '2026-01-01T00:15:00.000Z' }) });
const ClockBody = z.union([z.strictObject({ advance_seconds: z.int().min(1).max(MAX_ADVANCE_S) }), z.strictObject({ now: z.iso.datetime({ offset: true }) })]);
const FaultBody = z.strictObject({ target: z.enum(FAULT_TARGETS), kind: z.enum(FAULT_KINDS), count: z.int().min(1).max(1000) });
const FaultsOutput = z.object({ faults: z.array(z.object({ target: z.enum(FAULT_TARGETS), kind: z.enum(FAULT_KINDS), remaining: z.number() })) });
const InspectorQuery = z.object({ app_id: z.string().max(64).optional(), trade: z.string().max(64).optional() });

/** Adds the sandbox to a server being built; call it before the merchant gateway is registered, so the hook sees its exchanges. */
export async function registerSandbox(server: FastifyInstance, app: Formica, operatorTokenHash: Buffer): Promise<void> {
  const sandbox = app.sandbox;
  if (!sandbox) return;
  const requests = new GatewayLog(sandbox.clock, app.merchants);
  // At the root, so the gateway's own (encapsulated) context inherits it.
  server.addHook('onSend', async (request, reply, payload) => {
    if (isGatewayPath(request.url)) await requests.record(request, reply.statusCode, payload);
    return payload;
  });
  await server.register(async (operator) => {
    operator.addHook('preHandler', requireOperator(operatorTokenHash, { attempts: app.identity.attempts, clock: app.clock }));
    await operator.register(sandboxControlRoutes(sandbox));
  });
  await server.register(inspectorRoutes(app, sandbox, requests));
}

function sandboxControlRoutes(sandbox: Sandbox): FastifyPluginAsyncZod {
  return async (server) => {
    const clockOut = (ms: number) => ({ now: new Date(ms).toISOString() });
    server.get('/v1/sandbox/clock', { schema: { tags, security, summary: 'The sandbox time', response: { 200: ClockOutput } } }, async () =>
      clockOut(sandbox.clock.now()),
    );
    server.post(
      '/v1/sandbox/clock',
      {
        schema: {
          tags,
          security,
          summary: 'Move the sandbox time forward; answers once every job due on the way has run',
          body: ClockBody,
          response: { 200: ClockOutput, 400: ErrorOutput, 409: ErrorOutput },
        },
      },
      async (request) => {
        const body = request.body;
        const now = 'advance_seconds' in body ? await sandbox.advanceBy(body.advance_seconds * 1000) : await sandbox.advanceTo(Date.parse(body.now));
        return clockOut(now);
      },
    );
    const faultsOut = (faults: PendingFault[]) => ({ faults });
    server.get('/v1/sandbox/faults', { schema: { tags, security, summary: 'Faults still to happen', response: { 200: FaultsOutput } } }, async () =>
      faultsOut(sandbox.faults.pending()),
    );
    server.post(
      '/v1/sandbox/faults',
      {
        schema: {
          tags,
          security,
          summary: 'Make the next calls to the bank, the notifications or the billers fail',
          body: FaultBody,
          response: { 201: FaultsOutput, 400: ErrorOutput },
        },
      },
      async (request, reply) => {
        sandbox.faults.add(request.body.target, request.body.kind, request.body.count);
        return reply.status(201).send(faultsOut(sandbox.faults.pending()));
      },
    );
  };
}

function inspectorRoutes(app: Formica, sandbox: Sandbox, requests: GatewayLog): FastifyPluginAsyncZod {
  return async (server) => {
    for (const url of ['/sandbox', '/sandbox/']) {
      server.get(
        url,
        { schema: { tags, summary: 'The inspector: merchant requests and notifications (HTML)', querystring: InspectorQuery } },
        async (request, reply) => {
          const filter = { appId: request.query.app_id || undefined, trade: request.query.trade || undefined };
          const data = await inspectorData(sandbox, requests, app.trades.notifications, filter);
          return reply.type('text/html; charset=utf-8').send(renderInspector(data));
        },
      );
    }
  };
}
