// Formica's client of the billers' gateway (the biller simulator in development). It never
// guesses: no answer in time, a broken connection or a 5xx is `unknown`, and the caller queries
// again later. In sandbox mode every payment and query first asks the fault registry whether it is
// one of the calls ordered to fail (`POST /v1/sandbox/faults` with target "biller"); lookups and
// files pass, so a fault is spent on the payment under test, never on the lookup before it.
import { formatMinor, parseMinor } from '../../money/amount.ts';
import type { FaultKind, FaultSource } from '../sandbox/faults.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';

export interface BillerBill {
  readonly chargeInst: string;
  readonly billKey: string;
  readonly holderName: string;
  readonly dueMinor: bigint;
  readonly dueDate: string;
}

export type Unknown = { readonly status: 'unknown'; readonly message: string };
export type BillLookup = { readonly status: 'found'; readonly bill: BillerBill } | { readonly status: 'not_found' } | Unknown;
/** What the biller says of a payment; `not_received` is definite: it never saw that payment id. */
export type BillerAnswer =
  | { readonly status: 'pending' }
  | { readonly status: 'confirmed'; readonly confirmedAt: number }
  | { readonly status: 'refused'; readonly reason: string }
  | { readonly status: 'not_received' }
  | Unknown;
export type SettlementFile = { readonly status: 'ok'; readonly csv: string } | Unknown;

export interface BillPaymentRequest {
  readonly paymentId: string;
  readonly chargeInst: string;
  readonly billKey: string;
  readonly amountMinor: bigint;
}

export interface BillerClient {
  lookup(chargeInst: string, billKey: string): Promise<BillLookup>;
  pay(request: BillPaymentRequest): Promise<BillerAnswer>;
  query(paymentId: string): Promise<BillerAnswer>;
  settlementFile(chargeInst: string, day: string): Promise<SettlementFile>;
}

export function createBillerClient(options: { baseUrl: string; timeoutMs: number; faults?: FaultSource }): BillerClient {
  const call = async (method: string, path: string, body?: unknown, fault?: FaultKind): Promise<{ status: number; text: string } | Unknown> => {
    if (fault === 'timeout' || fault === 'down') return faultUnknown(fault);
    // The biller says no and nothing reaches it.
    if (fault === 'decline') return { status: 422, text: JSON.stringify({ code: 'biller_declined' }) };
    try {
      const send = () =>
        fetch(options.baseUrl + path, {
          method,
          headers: body === undefined ? {} : { 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(options.timeoutMs),
        });
      // A duplicate reaches the biller twice under one payment id; the second answer is the one heard.
      if (fault === 'duplicate') await send();
      const response = await send();
      const text = await response.text();
      if (fault === 'late_answer') return faultUnknown(fault);
      if (response.status >= 500) return { status: 'unknown', message: `the biller answered ${response.status}` };
      return { status: response.status, text };
    } catch (error) {
      return { status: 'unknown', message: error instanceof Error ? error.message : String(error) };
    }
  };
  return {
    async lookup(chargeInst, billKey) {
      const reply = await call('GET', `/bills?charge_inst=${encodeURIComponent(chargeInst)}&bill_key=${encodeURIComponent(billKey)}`);
      if (reply.status === 'unknown') return reply;
      if (reply.status === 404) return { status: 'not_found' };
      if (reply.status !== 200) return { status: 'unknown', message: `the biller refused the lookup (${reply.status})` };
      const b = JSON.parse(reply.text);
      return {
        status: 'found',
        bill: {
          chargeInst: b.charge_inst,
          billKey: b.bill_key,
          holderName: b.holder_name,
          dueMinor: parseMinor(b.amount_due, PLATFORM_CURRENCY),
          dueDate: b.due_date,
        },
      };
    },
    async pay(r) {
      const amount = formatMinor(r.amountMinor, PLATFORM_CURRENCY);
      const body = { payment_id: r.paymentId, charge_inst: r.chargeInst, bill_key: r.billKey, amount, currency: PLATFORM_CURRENCY.code };
      const reply = await call('POST', '/payments', body, options.faults?.take('biller'));
      if (reply.status === 'unknown') return reply;
      // Any other refusal of the request (unknown bill, declined) is the biller's definite no.
      if (reply.status >= 400) return { status: 'refused', reason: refusalCode(reply.text) };
      return paymentAnswer(reply.text);
    },
    async query(paymentId) {
      const reply = await call('GET', `/payments/${encodeURIComponent(paymentId)}`, undefined, options.faults?.take('biller'));
      if (reply.status === 'unknown') return reply;
      if (reply.status === 404) return { status: 'not_received' };
      if (reply.status !== 200) return { status: 'unknown', message: `the biller refused the query (${reply.status})` };
      return paymentAnswer(reply.text);
    },
    async settlementFile(chargeInst, day) {
      const reply = await call('GET', `/settlements/${encodeURIComponent(chargeInst)}/${day}`);
      if (reply.status === 'unknown') return reply;
      if (reply.status !== 200) return { status: 'unknown', message: `the biller has no file (${reply.status})` };
      return { status: 'ok', csv: reply.text };
    },
  };
}

function paymentAnswer(text: string): BillerAnswer {
  const p = JSON.parse(text);
  if (p.status === 'confirmed') return { status: 'confirmed', confirmedAt: Date.parse(p.confirmed_at) };
  if (p.status === 'refused') return { status: 'refused', reason: String(p.reason ?? 'refused_by_biller') };
  return { status: 'pending' };
}

function refusalCode(text: string): string {
  try {
    return String(JSON.parse(text).code ?? 'refused_by_biller');
  } catch {
    return 'refused_by_biller';
  }
}

function faultUnknown(kind: FaultKind): Unknown {
  return { status: 'unknown', message: `no answer from the biller (sandbox fault: ${kind})` };
}
