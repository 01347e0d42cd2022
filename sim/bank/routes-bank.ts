// The banks' own endpoints, as a channel partner would expose them: card binding with an SMS code,
// quick-pay debits, payout credits, operation queries and daily statements.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Delays } from './delays.ts';
import { operationJson, sendResult } from './http-shape.ts';
import type { BankSimulator } from './simulator.ts';

const bankParams = z.object({ bank: z.string().min(1).max(16) });
/** Request ids go into CSV cells and URLs unescaped, so they are kept to a safe alphabet. */
export const REQUEST_ID = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);

const bindBody = z.object({
  card_no: z.string().min(1).max(32),
  name: z.string().trim().min(1).max(100),
  id_no: z.string().trim().min(1).max(32),
  phone: z.string().regex(/^\+?\d{5,20}$/),
});
const moneyBody = z.object({
  token: z.string().min(1).max(128),
  amount: z.string().min(1).max(40),
  currency: z.string().regex(/^[A-Z]{3}$/),
  request_id: REQUEST_ID,
});

export function bankRoutes(sim: BankSimulator, delays: Delays) {
  /** Every bank answer pays the bank's configured latency. */
  const latency = (bank: string) => delays.wait(sim.settings(bank)?.latencyMs ?? 0);

  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.post('/banks/:bank/bindings', { schema: { params: bankParams, body: bindBody } }, async (req, reply) => {
      const { card_no, name, id_no, phone } = req.body;
      const result = sim.startBinding(req.params.bank, { cardNo: card_no, name, idNo: id_no, phone });
      await latency(req.params.bank);
      return sendResult(reply, result, (v) => ({
        binding_request_id: v.bindingRequestId,
        expires_at: new Date(v.expiresAt).toISOString(),
      }));
    });

    r.post(
      '/banks/:bank/bindings/:id/confirm',
      {
        schema: {
          params: bankParams.extend({ id: z.string().min(1).max(64) }),
          body: z.object({ sms_code: z.string().min(1).max(12) }),
        },
      },
      async (req, reply) => {
        const result = sim.confirmBinding(req.params.bank, req.params.id, req.body.sms_code);
        await latency(req.params.bank);
        return sendResult(reply, result, (v) => ({ token: v.token, last4: v.last4 }));
      },
    );

    for (const type of ['debit', 'credit'] as const) {
      r.post(`/banks/:bank/${type}s`, { schema: { params: bankParams, body: moneyBody } }, async (req, reply) => {
        const { token, amount, currency, request_id } = req.body;
        const request = { token, amount, currency, requestId: request_id };
        const bank = req.params.bank;
        const result = type === 'debit' ? sim.debit(bank, request) : sim.credit(bank, request);
        await latency(bank);
        if (result.ok && result.value.late) {
          // Applied already; the answer comes after the client has given up.
          reply.header('x-sim-late-answer', 'true');
          await delays.wait(sim.settings(bank)?.lateAnswerMs ?? 0);
        }
        return sendResult(reply, result, (v) => operationJson(v.operation));
      });
    }

    r.get('/banks/:bank/operations/:request_id', { schema: { params: bankParams.extend({ request_id: REQUEST_ID }) } }, async (req, reply) => {
      const result = sim.findOperation(req.params.bank, req.params.request_id);
      await latency(req.params.bank);
      return sendResult(reply, result, operationJson);
    });

    r.get('/banks/:bank/statements/:date', { schema: { params: bankParams.extend({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) }) } }, async (req, reply) => {
      const result = sim.statementCsv(req.params.bank, req.params.date);
      await latency(req.params.bank);
      if (result.ok) reply.type('text/csv; charset=utf-8');
      return sendResult(reply, result, (csv) => csv);
    });
  };
}
