// The simulator's control endpoints (not part of any bank's API): read SMS codes, change a bank's
// latency and failure rates at run time, provision cards, and plant statement discrepancies.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sendResult, settingsJson } from './http-shape.ts';
import { REQUEST_ID } from './routes-bank.ts';
import type { BankSimulator, PlantRequest } from './simulator.ts';

const bankParams = z.object({ bank: z.string().min(1).max(16) });
const rate = z.number().min(0).max(1);
const millis = z.number().int().min(0).max(3_600_000);

const configBody = z.object({
  latency_ms: millis.optional(),
  failure_rate: rate.optional(),
  timeout_rate: rate.optional(),
  late_answer_ms: millis.optional(),
});

const plantBody = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('add'),
    request_id: REQUEST_ID,
    bank_ref: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/)
      .optional(),
    type: z.enum(['debit', 'credit']).optional(),
    amount: z.string().min(1).max(40),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    status: z.enum(['succeeded', 'failed']).optional(),
    time: z.iso.datetime({ offset: true }).optional(),
  }),
  z.object({ action: z.literal('alter'), request_id: REQUEST_ID, amount: z.string().min(1).max(40) }),
  z.object({ action: z.literal('drop'), request_id: REQUEST_ID }),
]);

const cardBody = z.object({
  card_no: z.string().min(1).max(32),
  balance: z.string().min(1).max(40),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  name: z.string().trim().min(1).max(100).optional(),
  id_no: z.string().trim().min(1).max(32).optional(),
});

export function simRoutes(sim: BankSimulator) {
  return async (app: FastifyInstance) => {
    const r = app.withTypeProvider<ZodTypeProvider>();

    r.get('/health', async () => ({ ok: true }));

    r.get('/sim/sms', { schema: { querystring: z.object({ phone: z.string().min(1).max(24) }) } }, async (req) => ({
      phone: req.query.phone,
      messages: sim.smsFor(req.query.phone).map((m) => ({
        bank: m.bank,
        binding_request_id: m.bindingRequestId,
        code: m.code,
        sent_at: new Date(m.sentAt).toISOString(),
      })),
    }));

    r.get('/sim/banks', async () => ({ banks: sim.listBanks().map(settingsJson) }));

    r.post('/sim/banks/:bank/config', { schema: { params: bankParams, body: configBody } }, async (req, reply) => {
      const b = req.body;
      const patch = {
        latencyMs: b.latency_ms,
        failureRate: b.failure_rate,
        timeoutRate: b.timeout_rate,
        lateAnswerMs: b.late_answer_ms,
      };
      return sendResult(reply, sim.configure(req.params.bank, patch), settingsJson);
    });

    r.post('/sim/banks/:bank/statement-lines', { schema: { params: bankParams, body: plantBody } }, async (req, reply) => {
      const request = toPlantRequest(req.body);
      return sendResult(reply, sim.plant(req.params.bank, request), (v) => ({ planted: req.body.action, ...v }));
    });

    r.post('/sim/cards', { schema: { body: cardBody } }, async (req, reply) => {
      const b = req.body;
      const result = sim.provisionCard({ cardNo: b.card_no, balance: b.balance, currency: b.currency, name: b.name, idNo: b.id_no });
      if (!result.ok) return sendResult(reply, result, () => null);
      return sendResult(reply, sim.cardBalance(b.card_no), (v) => v);
    });

    // A customer opened an account at the counter: cards may now be bound in their name.
    r.post(
      '/sim/customers',
      { schema: { body: z.object({ name: z.string().trim().min(1).max(100), id_no: z.string().trim().min(1).max(32) }) } },
      async (req, reply) => {
        sim.enrollCustomer(req.body.name, req.body.id_no);
        return reply.status(201).send({ enrolled: true });
      },
    );

    // POST, not GET, so the card number travels in the body and never in a logged URL.
    r.post('/sim/cards/balance', { schema: { body: z.object({ card_no: z.string().min(1).max(32) }) } }, async (req, reply) =>
      sendResult(reply, sim.cardBalance(req.body.card_no), (v) => v),
    );
  };
}

function toPlantRequest(b: z.infer<typeof plantBody>): PlantRequest {
  if (b.action !== 'add') return { action: b.action, requestId: b.request_id, amount: 'amount' in b ? b.amount : undefined };
  return {
    action: 'add',
    requestId: b.request_id,
    bankRef: b.bank_ref,
    type: b.type,
    amount: b.amount,
    currency: b.currency,
    status: b.status,
    time: b.time === undefined ? undefined : Date.parse(b.time),
  };
}
