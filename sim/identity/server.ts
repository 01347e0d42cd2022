// The identity simulator as an HTTP server, a program of its own (`formica identity-sim`): the
// identity authority's checks (id number and name against its register, the document, the face)
// and the carrier's SMS gateway, with control routes to enroll people and read messages back.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Delays } from '../bank/delays.ts';
import { simulatorApp } from '../simulator-app.ts';
import { readySimulator } from '../state-file.ts';
import { persistTo } from './persist.ts';
import type { Verdict } from './register.ts';
import { IdentitySimulator, type IdentitySimOptions } from './simulator.ts';

export interface IdentitySimServerOptions extends IdentitySimOptions {
  /** Keep the register and messages in `<dataDir>/identity-sim.json` across restarts. */
  readonly dataDir?: string;
  readonly logger?: boolean;
}

export interface IdentitySimApp {
  readonly app: FastifyInstance;
  readonly simulator: IdentitySimulator;
  close(): Promise<void>;
}

export interface RunningIdentitySim extends IdentitySimApp {
  readonly url: string;
}

const idNo = z.string().regex(/^[0-9]{17}[0-9Xx]$|^[A-Za-z0-9]{6,32}$/);
const name = z.string().trim().min(1).max(100);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const phone = z.string().regex(/^\+?\d{5,20}$/);
/** A photo as base64 (the simulator compares its digest, never its pixels). */
const photo = z
  .string()
  .min(1)
  .max(400_000)
  .regex(/^[A-Za-z0-9+/=_-]+$/);

const checkBody = z.strictObject({ id_no: idNo, name, document_valid_until: day.optional(), photo: photo.optional() });
const personBody = z.strictObject({
  id_no: idNo,
  name,
  document_valid_until: day,
  document_revoked: z.boolean().optional(),
  face: z.enum(['match', 'no_match']).optional(),
});

const verdictJson = (v: Verdict) => (v.verdict === 'match' ? { verdict: 'match' } : { verdict: 'mismatch', reason: v.reason });

export async function buildIdentitySimApp(options: IdentitySimServerOptions): Promise<IdentitySimApp> {
  const simulator = new IdentitySimulator(options);
  const persistence = options.dataDir ? persistTo(simulator, options.dataDir) : undefined;
  const app = simulatorApp(options.logger);
  app.get('/health', async () => ({ ok: true }));

  app.post('/authority/checks', { schema: { body: checkBody } }, async (request) => {
    const b = request.body;
    const answer = simulator.check({ idNo: b.id_no, name: b.name, documentValidUntil: b.document_valid_until, photo: b.photo });
    return {
      check_id: answer.checkId,
      identity: verdictJson(answer.identity),
      ...(answer.document ? { document: verdictJson(answer.document) } : {}),
      ...(answer.face ? { face: verdictJson(answer.face) } : {}),
    };
  });

  app.post('/carrier/messages', { schema: { body: z.strictObject({ phone, text: z.string().min(1).max(500) }) } }, async (request, reply) => {
    simulator.sendSms(request.body.phone, request.body.text);
    return reply.status(202).send({ accepted: true });
  });

  app.post('/sim/people', { schema: { body: personBody } }, async (request, reply) => {
    const b = request.body;
    simulator.enroll({ idNo: b.id_no, name: b.name, documentValidUntil: b.document_valid_until, documentRevoked: b.document_revoked, face: b.face });
    return reply.status(201).send({ id_no: b.id_no });
  });

  app.get('/sim/sms', { schema: { querystring: z.object({ phone }) } }, async (request) => ({
    messages: simulator.smsFor(request.query.phone).map((m) => ({ phone: m.phone, text: m.text, sent_at: new Date(m.sentAt).toISOString() })),
  }));

  return readySimulator(app, simulator, new Delays(), persistence);
}

export async function startIdentitySim(options: IdentitySimServerOptions & { readonly port: number; readonly host?: string }): Promise<RunningIdentitySim> {
  const built = await buildIdentitySimApp(options);
  const host = options.host ?? '127.0.0.1';
  await built.app.listen({ port: options.port, host });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { ...built, url: `http://${host}:${port}` };
}
