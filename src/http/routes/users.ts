// User routes: registration, sessions, the profile and real-name evidence. Thin: each handler
// validates (zod), finds the session's user, and calls the identity service.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { Profile } from '../../modules/identity/identity.ts';
import { bearerToken } from '../auth.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { LoginBody, LoginOutput, PaymentPinBody, ProfileOutput, RegisterBody, RegisterOutput, VerificationBody } from '../schemas/identity.ts';

const tags = ['users'];
const security = [{ session: [] }];

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
      { schema: { tags, summary: 'Register (opens a CNY wallet)', body: RegisterBody, response: { 201: RegisterOutput, 400: ErrorOutput, 409: ErrorOutput } } },
      async (request, reply) => {
        const user = await app.identity.register(request.body);
        await app.wallet.openWallet(user.id);
        reply.status(201);
        return { user_id: user.id };
      },
    );

    server.post(
      '/v1/sessions',
      { schema: { tags, summary: 'Log in: a session token for Authorization: Bearer', body: LoginBody, response: { 201: LoginOutput, 400: ErrorOutput, 401: ErrorOutput } } },
      async (request, reply) => {
        const session = await app.identity.login(request.body);
        reply.status(201);
        return { token: session.token, user_id: session.userId, expires_at: new Date(session.expiresAt).toISOString() };
      },
    );

    server.get('/v1/me', { schema: { tags, security, summary: 'The logged-in user, level and evidence', response: { 200: ProfileOutput, 401: ErrorOutput } } }, async (request) => {
      const userId = await sessionUser(app, request);
      return profileToWire(await app.identity.profile(userId));
    });

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
      { schema: { tags, security, summary: 'Set the payment PIN (the second factor of payments)', body: PaymentPinBody, response: { 200: ProfileOutput, 400: ErrorOutput, 401: ErrorOutput } } },
      async (request) => {
        const userId = await sessionUser(app, request);
        await app.identity.setPaymentPin(userId, request.body.payment_pin);
        return profileToWire(await app.identity.profile(userId));
      },
    );
  };
}
