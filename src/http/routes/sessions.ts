// Sessions: log in, refresh, log out, the list of a user's live sessions with revoke, the password
// change (which ends every other session) and the user's own audit trail. Thin: each handler
// resolves the session and calls the identity service, which records what happened.
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import type { IdentityEvent } from '../../modules/identity/identity-audit.ts';
import type { IssuedSession, Session } from '../../modules/identity/sessions.ts';
import { bearerToken } from '../auth.ts';
import { ErrorOutput } from '../schemas/common.ts';
import {
  CodeSentOutput,
  EventListOutput,
  LoginBody,
  LoginOutput,
  PasswordChangeBody,
  PasswordCodeBody,
  PasswordResetBody,
  SessionListOutput,
  SessionParams,
} from '../schemas/identity.ts';
import { RefusalOutput } from '../schemas/wallet.ts';
import { originOf } from './users.ts';

const tags = ['sessions'];
const security = [{ session: [] }];
const NoContent = z.null().meta({ description: 'no body' });
const iso = (ms: number) => new Date(ms).toISOString();

function issuedToWire(s: IssuedSession) {
  return { token: s.token, user_id: s.userId, session_id: s.id, expires_at: iso(s.expiresAt), absolute_expires_at: iso(s.absoluteExpiresAt) };
}

function sessionToWire(s: Session, currentId: string) {
  return {
    session_id: s.id,
    current: s.id === currentId,
    created_at: iso(s.createdAt),
    last_used_at: iso(s.lastUsedAt),
    expires_at: iso(s.expiresAt),
    absolute_expires_at: iso(s.absoluteExpiresAt),
    address: s.address,
    user_agent: s.userAgent,
  };
}

function eventToWire(e: IdentityEvent) {
  return { event_id: e.id, kind: e.kind, detail: e.detail, address: e.address, created_at: iso(e.createdAt) };
}

export function sessionRoutes(app: Formica): FastifyPluginAsyncZod {
  const current = (request: FastifyRequest) => app.identity.session(bearerToken(request));
  return async (server) => {
    server.post(
      '/v1/sessions',
      {
        schema: {
          tags,
          summary: 'Log in: a session token for Authorization: Bearer (wrong attempts are limited per phone and per address: 429 with Retry-After)',
          body: LoginBody,
          response: { 201: LoginOutput, 400: ErrorOutput, 401: ErrorOutput, 429: RefusalOutput },
        },
      },
      async (request, reply) => {
        reply.status(201);
        return issuedToWire(await app.identity.login(request.body, originOf(request)));
      },
    );

    server.post(
      '/v1/sessions/current/refresh',
      {
        schema: {
          tags,
          security,
          summary: 'A new token for this session (the old one stops working); the 7-day end stays',
          response: { 201: LoginOutput, 401: ErrorOutput },
        },
      },
      async (request, reply) => {
        reply.status(201);
        return issuedToWire(await app.identity.refreshSession(bearerToken(request), originOf(request)));
      },
    );

    server.delete(
      '/v1/sessions/current',
      { schema: { tags, security, summary: 'Log out: the token stops working at once', response: { 204: NoContent, 401: ErrorOutput } } },
      async (request, reply) => {
        await app.identity.logout(bearerToken(request), originOf(request));
        return reply.status(204).send(null);
      },
    );

    server.get(
      '/v1/me/sessions',
      { schema: { tags, security, summary: 'My live sessions, newest first', response: { 200: SessionListOutput, 401: ErrorOutput } } },
      async (request) => {
        const session = await current(request);
        return { sessions: (await app.identity.listSessions(session.userId)).map((s) => sessionToWire(s, session.id)) };
      },
    );

    server.delete(
      '/v1/me/sessions/:id',
      {
        schema: { tags, security, summary: 'End one of my sessions', params: SessionParams, response: { 204: NoContent, 401: ErrorOutput, 404: ErrorOutput } },
      },
      async (request, reply) => {
        const session = await current(request);
        await app.identity.revokeSession(session.userId, request.params.id, originOf(request));
        return reply.status(204).send(null);
      },
    );

    server.post(
      '/v1/me/password',
      {
        schema: {
          tags,
          security,
          summary: 'Change the password (needs the old one); every other session ends',
          body: PasswordChangeBody,
          response: { 204: NoContent, 400: ErrorOutput, 401: ErrorOutput, 403: ErrorOutput, 429: RefusalOutput },
        },
      },
      async (request, reply) => {
        const session = await current(request);
        await app.identity.changePassword(session, { oldPassword: request.body.old_password, newPassword: request.body.new_password }, originOf(request));
        return reply.status(204).send(null);
      },
    );

    server.post(
      '/v1/password-resets/code',
      {
        schema: {
          tags,
          summary: 'Send an SMS code to reset a forgotten password; the answer is the same whether or not the phone is registered',
          body: PasswordCodeBody,
          response: { 202: CodeSentOutput, 400: ErrorOutput, 429: RefusalOutput, 503: ErrorOutput },
        },
      },
      async (request, reply) => {
        await app.identity.recovery.sendPasswordCode(request.body.phone);
        reply.status(202);
        return { sent: true };
      },
    );

    server.post(
      '/v1/password-resets',
      {
        schema: {
          tags,
          summary: 'Set a new password with the SMS code; every session ends',
          body: PasswordResetBody,
          response: { 204: NoContent, 400: ErrorOutput, 403: RefusalOutput, 429: RefusalOutput },
        },
      },
      async (request, reply) => {
        const { phone, sms_code: smsCode, new_password: newPassword } = request.body;
        await app.identity.recovery.resetPassword({ phone, smsCode, newPassword }, originOf(request).address);
        return reply.status(204).send(null);
      },
    );

    server.get(
      '/v1/me/events',
      {
        schema: { tags, security, summary: 'My audit trail: logins, sessions, password and PIN changes', response: { 200: EventListOutput, 401: ErrorOutput } },
      },
      async (request) => {
        const session = await current(request);
        return { events: (await app.identity.audit.list(session.userId)).map(eventToWire) };
      },
    );
  };
}
