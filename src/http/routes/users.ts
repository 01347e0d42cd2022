// User routes: registration, sessions, the profile and real-name evidence. Thin: each handler
// validates (zod), finds the session's user, and calls the identity service.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import type { Profile, RequestOrigin } from '../../modules/identity/identity.ts';
import { bearerToken } from '../auth.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import type { EvidenceInput } from '../../modules/identity/evidence.ts';
import {
  CodeSentOutput,
  PaymentPinBody,
  PinResetBody,
  ProfileOutput,
  RegisterBody,
  RegisterOutput,
  VerdictOutput,
  VerificationBody,
} from '../schemas/identity.ts';

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

type VerificationWire = (typeof VerificationBody)['_zod']['output'];

function evidenceOf(body: VerificationWire): EvidenceInput {
  switch (body.source) {
    case 'carrier':
      return { source: 'carrier', smsCode: body.sms_code };
    case 'public_security':
      return { source: 'public_security', idNo: body.id_no };
    case 'id_document':
      return { source: 'id_document', idNo: body.id_no, validUntil: body.valid_until };
    case 'face':
      return { source: 'face', idNo: body.id_no, photo: body.photo };
    case 'bank_card':
      return { source: 'bank_card' };
  }
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
        // An SMS code to confirm the phone goes out either way (POST /v1/me/verifications, source carrier).
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
          summary:
            "Show real-name evidence to its source (the SMS code, the id number, the document, a photo, a card bound in your name): the answer is the source's verdict; the level comes only from accepted evidence",
          body: VerificationBody,
          response: { 200: VerdictOutput, 400: ErrorOutput, 401: ErrorOutput, 429: RefusalOutput, 503: ErrorOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const verdict = await app.identity.submitEvidence(userId, evidenceOf(request.body), originOf(request));
        return { ...profileToWire(await app.identity.profile(userId)), verdict };
      },
    );

    server.post(
      '/v1/me/phone/code',
      {
        schema: {
          tags,
          security,
          summary: 'Send a new SMS code to confirm my phone (the carrier evidence); codes per phone are limited (429 with Retry-After)',
          response: { 202: CodeSentOutput, 401: ErrorOutput, 429: RefusalOutput, 503: ErrorOutput },
        },
      },
      async (request, reply) => {
        await app.identity.sendPhoneCode(await sessionUser(app, request));
        reply.status(202);
        return { sent: true };
      },
    );

    server.post(
      '/v1/me/payment-pin/reset-code',
      {
        schema: {
          tags,
          security,
          summary: 'Send an SMS code to reset a forgotten payment PIN (with the id number on file)',
          response: { 202: CodeSentOutput, 401: ErrorOutput, 429: RefusalOutput, 503: ErrorOutput },
        },
      },
      async (request, reply) => {
        await app.identity.recovery.sendPinCode(await sessionUser(app, request));
        reply.status(202);
        return { sent: true };
      },
    );

    server.post(
      '/v1/me/payment-pin/reset',
      {
        schema: {
          tags,
          security,
          summary: 'Reset the payment PIN with the SMS code and the id number on file; lifts a PIN lock',
          body: PinResetBody,
          response: { 200: ProfileOutput, 400: ErrorOutput, 401: ErrorOutput, 403: RefusalOutput, 409: ErrorOutput, 429: RefusalOutput },
        },
      },
      async (request) => {
        const userId = await sessionUser(app, request);
        const { sms_code: smsCode, id_no: idNo, payment_pin: pin } = request.body;
        await app.identity.recovery.resetPin(userId, { smsCode, idNo, pin }, originOf(request).address);
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
