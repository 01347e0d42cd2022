// The biller simulator as an HTTP server, a program of its own (`formica biller-sim`): bill
// lookup, payments and their status, the daily settlement file, and a control route that plants
// differences in the file for reconciliation tests. Latency is a real wait, released on close.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Delays } from '../bank/delays.ts';
import { formatMinor, parseMinor, requireCurrency } from '../../src/money/amount.ts';
import { BILL_KEY } from './households.ts';
import { simulatorApp } from '../simulator-app.ts';
import { readySimulator } from '../state-file.ts';
import { persistTo } from './persist.ts';
import { settlementCsv } from './settlement-file.ts';
import { BillerSimulator, type BillerSimOptions, type SimPayment } from './simulator.ts';

export interface BillerSimServerOptions extends BillerSimOptions {
  /** Keep payments in `<dataDir>/biller-sim.json` across restarts; in memory when absent. */
  readonly dataDir?: string;
  /** A real wait before every answer. */
  readonly latencyMs?: number;
  readonly logger?: boolean;
}

export interface BillerSimApp {
  readonly app: FastifyInstance;
  readonly simulator: BillerSimulator;
  close(): Promise<void>;
}

const CNY = requireCurrency('CNY');
const chargeInst = z.string().regex(/^[A-Z0-9_]{2,32}$/);
const billKey = z.string().regex(BILL_KEY);
const paymentId = z.string().regex(/^[A-Za-z0-9_:-]{1,64}$/);
const amount = z.string().regex(/^\d{1,12}(\.\d{1,2})?$/);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const plantBody = z.discriminatedUnion('action', [
  z.object({ action: z.literal('add'), charge_inst: chargeInst, day, payment_id: paymentId, bill_key: billKey, amount, confirmed_at: z.iso.datetime() }),
  z.object({ action: z.literal('alter'), payment_id: paymentId, amount }),
  z.object({ action: z.literal('drop'), payment_id: paymentId }),
]);

export async function buildBillerSimApp(options: BillerSimServerOptions): Promise<BillerSimApp> {
  const simulator = new BillerSimulator(options);
  const persistence = options.dataDir ? persistTo(simulator, options.dataDir) : undefined;
  const delays = new Delays();
  const app = simulatorApp(options.logger);
  app.addHook('onRequest', async (request) => {
    if (request.url !== '/health') await delays.wait(options.latencyMs ?? 0);
  });
  app.get('/health', async () => ({ ok: true }));
  app.get('/bills', { schema: { querystring: z.object({ charge_inst: chargeInst, bill_key: z.string().max(32) }) } }, async (request, reply) => {
    const bill = simulator.bill(request.query.charge_inst, request.query.bill_key);
    if (!bill) return reply.status(404).send({ code: 'bill_unknown', message: 'no such bill at this biller' });
    return {
      charge_inst: bill.chargeInst,
      bill_key: bill.billKey,
      holder_name: bill.holderName,
      amount_due: formatMinor(bill.dueMinor, CNY),
      currency: 'CNY',
      due_date: bill.dueDate,
    };
  });
  const payBody = z.object({ payment_id: paymentId, charge_inst: chargeInst, bill_key: billKey, amount, currency: z.literal('CNY') });
  app.post('/payments', { schema: { body: payBody } }, async (request, reply) => {
    const { payment_id, charge_inst, bill_key } = request.body;
    const result = simulator.pay({ paymentId: payment_id, chargeInst: charge_inst, billKey: bill_key, amountMinor: parseMinor(request.body.amount, CNY) });
    if (!result.ok) return reply.status(result.code === 'bill_unknown' ? 404 : 409).send({ code: result.code, message: result.code.replaceAll('_', ' ') });
    return reply.status(202).send(paymentJson(simulator, result.payment));
  });
  app.get('/payments/:payment_id', { schema: { params: z.object({ payment_id: paymentId }) } }, async (request, reply) => {
    const payment = simulator.payment(request.params.payment_id);
    if (!payment) return reply.status(404).send({ code: 'payment_unknown', message: 'the biller never received this payment' });
    return paymentJson(simulator, payment);
  });
  app.get('/settlements/:charge_inst/:day', { schema: { params: z.object({ charge_inst: chargeInst, day }) } }, async (request, reply) => {
    const lines = simulator.settlement(request.params.charge_inst, request.params.day);
    return reply.type('text/csv; charset=utf-8').send(settlementCsv(lines));
  });
  app.post('/sim/plant', { schema: { body: plantBody } }, async (request, reply) => {
    const b = request.body;
    if (b.action === 'add') {
      const line = {
        paymentId: b.payment_id,
        chargeInst: b.charge_inst,
        billKey: b.bill_key,
        amountMinor: parseMinor(b.amount, CNY),
        confirmedAt: Date.parse(b.confirmed_at),
      };
      simulator.plant({ action: 'add', chargeInst: b.charge_inst, day: b.day, line });
    } else if (b.action === 'alter') {
      simulator.plant({ action: 'alter', paymentId: b.payment_id, amountMinor: parseMinor(b.amount, CNY) });
    } else {
      simulator.plant({ action: 'drop', paymentId: b.payment_id });
    }
    return reply.status(204).send();
  });
  return readySimulator(app, simulator, delays, persistence);
}

export async function startBillerSimulator(options: BillerSimServerOptions & { port: number; host?: string }): Promise<BillerSimApp & { url: string }> {
  const built = await buildBillerSimApp(options);
  const host = options.host ?? '127.0.0.1';
  await built.app.listen({ port: options.port, host });
  const address = built.app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { ...built, url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}` };
}

function paymentJson(simulator: BillerSimulator, p: SimPayment) {
  const status = simulator.status(p);
  return {
    payment_id: p.paymentId,
    charge_inst: p.chargeInst,
    bill_key: p.billKey,
    amount: formatMinor(p.amountMinor, CNY),
    status,
    ...(status === 'confirmed' ? { confirmed_at: new Date(p.decideAt).toISOString() } : {}),
    ...(status === 'refused' ? { reason: 'refused_by_biller' } : {}),
  };
}
