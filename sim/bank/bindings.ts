// Card binding: a request sends an SMS code to the holder's phone; confirming with the code issues a
// token that later debits and credits use instead of the card number. The simulator keeps the SMS
// messages so tests and demos can read the code back.
import type { CardRecord } from './cards.ts';
import { ok, refuse, type SimResult } from './sim-types.ts';

export const SMS_TTL_MS = 5 * 60_000;
const CONFIRM_ATTEMPTS = 5;
const SMS_KEPT_PER_PHONE = 10;
const PHONES_KEPT = 10_000;

export interface BindingRequest {
  readonly id: string;
  readonly bank: string;
  readonly cardKey: string;
  readonly last4: string;
  readonly phone: string;
  readonly code: string;
  readonly expiresAt: number;
  attemptsLeft: number;
  token?: string;
}

export interface TokenRecord {
  readonly token: string;
  readonly bank: string;
  readonly cardKey: string;
  readonly last4: string;
}

export interface SmsMessage {
  readonly phone: string;
  readonly bank: string;
  readonly bindingRequestId: string;
  readonly code: string;
  readonly sentAt: number;
}

export interface BindingSnapshot {
  readonly requests: BindingRequest[];
  readonly tokens: TokenRecord[];
  readonly sms: SmsMessage[];
}

export class BindingBook {
  private readonly requests = new Map<string, BindingRequest>();
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly sms = new Map<string, SmsMessage[]>();

  start(id: string, bank: string, card: CardRecord, phone: string, code: string, now: number): BindingRequest {
    this.dropExpired(now);
    const request: BindingRequest = {
      id,
      bank,
      cardKey: card.key,
      last4: card.last4,
      phone,
      code,
      expiresAt: now + SMS_TTL_MS,
      attemptsLeft: CONFIRM_ATTEMPTS,
    };
    this.requests.set(id, request);
    this.send({ phone, bank, bindingRequestId: id, code, sentAt: now });
    return request;
  }

  /** Confirms a binding; `newToken` is called only when a token is actually issued. */
  confirm(bank: string, id: string, code: string, now: number, newToken: () => string): SimResult<TokenRecord> {
    const request = this.requests.get(id);
    if (!request || request.bank !== bank) return refuse('binding_unknown', `no binding request '${id}' at ${bank}`);
    // A repeated confirmation (the first answer was lost) gets the same token again.
    if (request.token !== undefined && request.code === code) return ok(this.tokens.get(request.token)!);
    if (request.attemptsLeft <= 0) return refuse('binding_locked', 'too many wrong SMS codes; start a new binding');
    if (now > request.expiresAt) return refuse('binding_expired', 'the SMS code has expired; start a new binding');
    if (request.code !== code) {
      request.attemptsLeft -= 1;
      return refuse('sms_code_wrong', `wrong SMS code; ${request.attemptsLeft} attempts left`);
    }
    const record: TokenRecord = { token: newToken(), bank, cardKey: request.cardKey, last4: request.last4 };
    this.tokens.set(record.token, record);
    request.token = record.token;
    return ok(record);
  }

  token(bank: string, token: string): TokenRecord | undefined {
    const record = this.tokens.get(token);
    return record?.bank === bank ? record : undefined;
  }

  /** The latest messages sent to a phone, newest first. */
  messagesFor(phone: string): readonly SmsMessage[] {
    return [...(this.sms.get(phone) ?? [])].reverse();
  }

  snapshot(): BindingSnapshot {
    return {
      requests: [...this.requests.values()],
      tokens: [...this.tokens.values()],
      sms: [...this.sms.values()].flat(),
    };
  }

  restore(snapshot: BindingSnapshot): void {
    for (const r of snapshot.requests) this.requests.set(r.id, { ...r });
    for (const t of snapshot.tokens) this.tokens.set(t.token, t);
    for (const m of snapshot.sms) this.send(m);
  }

  private send(message: SmsMessage): void {
    const list = this.sms.get(message.phone) ?? [];
    list.push(message);
    if (list.length > SMS_KEPT_PER_PHONE) list.shift();
    // Re-insert so the map's order is least recently messaged first, then trim the oldest phones.
    this.sms.delete(message.phone);
    this.sms.set(message.phone, list);
    if (this.sms.size > PHONES_KEPT) this.sms.delete(this.sms.keys().next().value!);
  }

  private dropExpired(now: number): void {
    for (const [id, request] of this.requests) {
      // Confirmed requests stay a while so a lost confirmation answer can be repeated.
      if (now > request.expiresAt + SMS_TTL_MS) this.requests.delete(id);
    }
  }
}
