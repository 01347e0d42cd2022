// Operator routes (behind the operator token): in-person verification and wallet adjustments.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import { IN_PERSON_SOURCE } from '../../modules/identity/identity-levels.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { InPersonVerificationBody, ProfileOutput, UserId } from '../schemas/identity.ts';
import { AdjustmentBody, AdjustmentOutput, RefusalOutput } from '../schemas/wallet.ts';
import { profileToWire } from './users.ts';
import { positiveMinor } from './wallet.ts';

const tags = ['admin'];
const security = [{ operator: [] }];
const UserParams = z.object({ id: UserId });

export function adminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.get(
      '/v1/admin/users/:id',
      { schema: { tags, security, summary: 'A user, their level and evidence', params: UserParams, response: { 200: ProfileOutput, 404: ErrorOutput } } },
      async (request) => profileToWire(await app.identity.profile(request.params.id)),
    );

    server.post(
      '/v1/admin/users/:id/verifications',
      {
        schema: {
          tags,
          security,
          summary: 'Record an in-person identity check (grants level II or III)',
          params: UserParams,
          body: InPersonVerificationBody,
          response: { 201: ProfileOutput, 400: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await app.identity.addEvidence(id, {
          source: IN_PERSON_SOURCE,
          grantedLevel: request.body.level,
          reference: request.body.reference,
          verifiedBy: 'operator',
        });
        reply.status(201);
        return profileToWire(await app.identity.profile(id));
      },
    );

    server.post(
      '/v1/admin/adjustments',
      {
        schema: {
          tags,
          security,
          summary: "Credit or debit a user's wallet against the adjustments account (audited, idempotent)",
          body: AdjustmentBody,
          response: { 200: AdjustmentOutput, 400: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: RefusalOutput },
        },
      },
      async (request) => {
        const b = request.body;
        const result = await app.wallet.adjust({
          userId: b.user_id,
          amountMinor: positiveMinor(b.amount, b.currency),
          currency: b.currency,
          direction: b.direction,
          reason: b.reason,
          requestId: b.request_id,
        });
        return { request_id: result.requestId, transfer_id: result.transferId, status: result.status };
      },
    );
  };
}
