// The client Formica uses to talk to bank channels (the simulator or a real bank adapter speaking
// the same JSON). It never guesses: no answer within the timeout, a broken connection or a 5xx
// answer is `unknown`, to be settled later by `query` or by the bank's statement.
import { z } from 'zod';
import { formatMinor, parseMinor, requireCurrency } from '../../money/amount.ts';
import {
  type BankClient,
  BankClientError,
  type BankClientOptions,
  type BankOperation,
  type MoneyRequest,
  type MoneyResult,
  type Refused,
  type Unknown,
} from './bank-client-types.ts';
import { parseStatementCsv } from './statement-csv.ts';

export * from './bank-client-types.ts';

/** The bank's HTTP answer, whatever it says. */
interface Answer {
  readonly status: 'answer';
  readonly httpStatus: number;
  readonly text: string;
}

const errorBody = z.object({ code: z.string(), message: z.string().optional() });
const operationBody = z.object({
  request_id: z.string(),
  bank_ref: z.string(),
  type: z.enum(['debit', 'credit']),
  amount: z.string(),
  currency: z.string(),
  status: z.enum(['succeeded', 'failed']),
  reason: z.string().optional(),
  time: z.string(),
});
const bindBody = z.object({ binding_request_id: z.string(), expires_at: z.string() });
const confirmBody = z.object({ token: z.string(), last4: z.string() });

export function createBankClient(options: BankClientOptions): BankClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = (method: 'GET' | 'POST', path: string, body?: unknown) => call(base + path, options.timeoutMs, method, body);
  const bankPath = (bank: string) => `/banks/${encodeURIComponent(bank)}`;

  return {
    async bind(r) {
      const body = { card_no: r.cardNo, name: r.name, id_no: r.idNo, phone: r.phone };
      const answer = await send('POST', `${bankPath(r.bank)}/bindings`, body);
      return decide(answer, bindBody, (v) => ({
        status: 'sms_sent',
        bindingRequestId: v.binding_request_id,
        expiresAt: Date.parse(v.expires_at),
      }));
    },

    async confirm(r) {
      const path = `${bankPath(r.bank)}/bindings/${encodeURIComponent(r.bindingRequestId)}/confirm`;
      const answer = await send('POST', path, { sms_code: r.smsCode });
      return decide(answer, confirmBody, (v) => ({ status: 'bound', token: v.token, last4: v.last4 }));
    },

    debit: (r) => moveMoney(send, `${bankPath(r.bank)}/debits`, r),
    credit: (r) => moveMoney(send, `${bankPath(r.bank)}/credits`, r),

    async query(bank, requestId) {
      const answer = await send('GET', `${bankPath(bank)}/operations/${encodeURIComponent(requestId)}`);
      if (answer.status === 'answer' && answer.httpStatus === 404 && errorCode(answer) === 'operation_unknown') {
        return { status: 'not_found' };
      }
      return decide(answer, operationBody, (v) => ({ status: 'found', operation: toOperation(v) }));
    },

    async statement(bank, date) {
      const answer = await send('GET', `${bankPath(bank)}/statements/${encodeURIComponent(date)}`);
      if (answer.status !== 'answer' || answer.httpStatus !== 200) return notOk(answer);
      try {
        return { status: 'ok', bank, date, lines: parseStatementCsv(answer.text), csv: answer.text };
      } catch (error) {
        return unknown('bank_error', `unreadable statement: ${(error as Error).message}`);
      }
    },
  };
}

type Send = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<Answer | Unknown>;

async function moveMoney(send: Send, path: string, r: MoneyRequest): Promise<MoneyResult> {
  const amount = formatMinor(r.amountMinor, requireCurrency(r.currency));
  const answer = await send('POST', path, { token: r.token, amount, currency: r.currency, request_id: r.requestId });
  if (answer.status === 'answer' && answer.httpStatus === 409) {
    throw new BankClientError(errorCode(answer) ?? 'conflict', `request id '${r.requestId}': ${answer.text}`);
  }
  const result = decide(answer, operationBody, (v): MoneyResult => {
    if (v.request_id !== r.requestId) throw new Error('the bank answered about another request');
    return v.status === 'succeeded'
      ? { status: 'succeeded', bankRef: v.bank_ref }
      : { status: 'failed', reason: v.reason ?? 'unspecified', bankRef: v.bank_ref };
  });
  // A refusal of a money request means the bank did not record it: a definitive failure.
  return result.status === 'refused' ? { status: 'failed', reason: result.code } : result;
}

/** Turns an answer into the success shape, a refusal (4xx) or unknown (5xx, garbled). */
function decide<S extends z.ZodType, T>(answer: Answer | Unknown, schema: S, toValue: (body: z.infer<S>) => T): T | Refused | Unknown {
  if (answer.status !== 'answer' || answer.httpStatus < 200 || answer.httpStatus >= 300) return notOk(answer);
  const parsed = schema.safeParse(safeJson(answer.text));
  if (!parsed.success) return unknown('bank_error', 'the bank answered with an unexpected body');
  try {
    return toValue(parsed.data);
  } catch (error) {
    return unknown('bank_error', (error as Error).message);
  }
}

/** A 4xx is the bank's refusal; anything else that is not a success tells nothing certain. */
function notOk(answer: Answer | Unknown): Refused | Unknown {
  if (answer.status !== 'answer') return answer;
  if (answer.httpStatus >= 400 && answer.httpStatus < 500) {
    const parsed = errorBody.safeParse(safeJson(answer.text));
    const code = parsed.success ? parsed.data.code : `http_${answer.httpStatus}`;
    return { status: 'refused', code, message: (parsed.success && parsed.data.message) || answer.text.slice(0, 200) };
  }
  return unknown('bank_error', `bank answered HTTP ${answer.httpStatus}`);
}

async function call(url: string, timeoutMs: number, method: string, body?: unknown): Promise<Answer | Unknown> {
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The body is read under the same deadline: a bank that stalls mid-answer is still unknown.
    return { status: 'answer', httpStatus: response.status, text: await response.text() };
  } catch (error) {
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') return unknown('timeout', `no answer within ${timeoutMs} ms`);
    return unknown('network', (error as Error).message);
  }
}

function toOperation(v: z.infer<typeof operationBody>): BankOperation {
  return {
    requestId: v.request_id,
    bankRef: v.bank_ref,
    type: v.type,
    amountMinor: parseMinor(v.amount, requireCurrency(v.currency)),
    currency: v.currency,
    status: v.status,
    ...(v.reason ? { reason: v.reason } : {}),
    time: Date.parse(v.time),
  };
}

function errorCode(answer: Answer): string | undefined {
  const parsed = errorBody.safeParse(safeJson(answer.text));
  return parsed.success ? parsed.data.code : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function unknown(cause: Unknown['cause'], message: string): Unknown {
  return { status: 'unknown', cause, message };
}
