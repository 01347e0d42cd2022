// Helpers shared by the channel tests: a simulator on inject, and binding a card through its SMS.
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../../src/engine/clock.ts';
import { type BankSimulatorApp, type BankSimulatorOptions, buildBankSimulatorApp } from './server.ts';

/** Luhn-valid numbers for tests (never real cards). */
export const CARD_A = '6222020200112230';
export const CARD_B = '6217000000000006';
export const CARD_C = '6225880000000019';

/** 2026-01-01 10:00 in Shanghai. */
export const T0 = Date.UTC(2026, 0, 1, 2, 0, 0);

export async function simOnInject(options: Partial<BankSimulatorOptions> = {}): Promise<BankSimulatorApp & { clock: ManualClock }> {
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock(T0);
  const built = await buildBankSimulatorApp({ ...options, clock });
  return { ...built, clock };
}

export async function post(app: FastifyInstance, url: string, payload: object) {
  const response = await app.inject({ method: 'POST', url, payload });
  return { status: response.statusCode, body: response.json(), headers: response.headers };
}

export async function get(app: FastifyInstance, url: string) {
  const response = await app.inject({ method: 'GET', url });
  return { status: response.statusCode, body: response.body, headers: response.headers };
}

/** Binds a card at a bank through the SMS flow; returns the token. */
export async function bindCard(app: FastifyInstance, bank: string, cardNo: string, phone = '13800000001'): Promise<string> {
  const started = await post(app, `/banks/${bank}/bindings`, { card_no: cardNo, name: 'Li Lei', id_no: '110101199001011234', phone });
  if (started.status !== 200) throw new Error(`binding refused: ${JSON.stringify(started.body)}`);
  const sms = JSON.parse((await get(app, `/sim/sms?phone=${phone}`)).body);
  const confirmed = await post(app, `/banks/${bank}/bindings/${started.body.binding_request_id}/confirm`, {
    sms_code: sms.messages[0].code,
  });
  return confirmed.body.token;
}
