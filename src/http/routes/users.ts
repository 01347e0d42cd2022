// User routes: registration, sessions, the profile and real-name evidence. Thin: each handler
// validates (zod), finds the session's user, and calls the identity service.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { Profile, RequestOrigin } from '../../modules/identity/identity.ts';
import { bearerToken } from '../auth.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { PaymentPinBody, ProfileOutput, RegisterBody, RegisterOutput, VerificationBody } from '../schemas/identity.ts';

const tags = ['users'];
const security = [{ session: [] }];

/** The client's address (the socket's peer: Formica trusts no forwarding header). */
export function originOf(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return { address: request.ip, userAgent: typeof agent === 'string' ? agent.replace(/\p{Cc}/gu, '').slice(0, 200) : undefined };
}

/** The user whose session token the request carries; every user route starts here. */
export function sessionUser(app: Formica, request: FastifyRequest): Promise<string> {
  return app.identity.authenticate(bearerToken(request));
}

export function profileToWire(p: Profile) {
  return {
    user_id: p.id,
    phone: p.phone,
    name: p.name,
    level: p.level,
    may_invest: p.mayInvest,
    has_payment_pin: p.hasPaymentPin,
    verifications: p.verifications.map((v) => ({
      source: v.source,
      granted_level: v.grantedLevel,
      reference: v.reference,
      verified_by: v.verifiedBy,
      created_at: new Date(v.createdAt).toISOString(),
    })),
    created_at: new Date(p.createdAt).toISOString(),
  };
}

export function userRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/users',
      {
        schema: {
          tags,
          summary: 'Register (opens a CNY wallet); a phone that is taken gets the same answer, and its owner an audit entry',
          body: RegisterBody,
          response: { 201: RegisterOutput, 400: ErrorOutput },
        },
      },
      async (request, reply) => {
        const signUp = await app.identity.signUp(request.body, originOf(request));
        if (signUp.created) await app.wallet.openWallet(signUp.userId);
        reply.status(201);
        return { user_id: signUp.userId };
      },
    );

    server.get(
      '/v1/me',
      { schema: { tags, security, summary: 'The logged-in user, level and evidence', response: { 200: ProfileOutput, 401: ErrorOutput } } },
      async (request) => {
        const userId = await sessionUser(app, request);
        return profileToWire(await app.identity.profile(userId));
      },
    );

    server.post(
      '/v1/me/verifications',
      {
        schema: {
          tags,
          security,
          summary: 'Add real-name evidence from an external source; the level is derived from all evidence',
          body: VerificationBody,
          response: { 201: ProfileOutput, 400: ErrorOutput, 401: ErrorOutput },
        },
      },
      async (request, reply) => {
        const userId = await sessionUser(app, request);
        await app.identity.addEvidence(userId, { source: request.body.source, reference: request.body.reference, verifiedBy: 'user' });
        reply.status(201);
        return profileToWire(await app.identity.profile(userId));
      },
    );

    server.put(
      '/v1/me/payment-pin',
      {
        schema: {
          tags,
          security,
          summary: 'Set the payment PIN (the second factor of payments): a change needs current_pin, a first PIN the password',
          body: PaymentPinBody,
          response: { 200: ProfileOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 429: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const { payment_pin: pin, current_pin: currentPin, password } = request.body;
        await app.identity.setPaymentPin(userId, { pin, currentPin, password }, originOf(request));
        return profileToWire(await app.identity.profile(userId));
      },
    );
  };
}
