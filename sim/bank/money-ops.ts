// Debits and credits at one simulated bank: idempotent on request id, declined for unknown tokens,
// unsupported currencies, insufficient funds or the bank's configured failure rate; every operation
// received is recorded (succeeded or failed) so a query or the statement can tell what happened.
import { parseMinor, requireCurrency } from '../../src/money/amount.ts';
import type { BindingBook } from './bindings.ts';
import type { CardBook } from './cards.ts';
import type { OperationBook } from './operations.ts';
import { drawFate } from './settings.ts';
import { type BankSettings, type DeclineReason, type OperationRecord, type OperationType, ok, refuse, type SimResult } from './sim-types.ts';

export interface MoneyRequest {
  readonly type: OperationType;
  readonly token: string;
  /** Decimal string in the currency's major unit ("12.34"). */
  readonly amount: string;
  readonly currency: string;
  readonly requestId: string;
}

export interface MoneyAnswer {
  readonly operation: OperationRecord;
  /** True when the bank holds its answer past any client timeout (the operation is applied). */
  readonly late: boolean;
}

/** What one bank needs to move money. */
export interface MoneyDesk {
  readonly settings: BankSettings;
  readonly cards: CardBook;
  readonly bindings: BindingBook;
  readonly operations: OperationBook;
  draw(): number;
  nextBankRef(): string;
  now(): number;
  dayOf(ms: number): string;
}

export function moveMoney(desk: MoneyDesk, request: MoneyRequest): SimResult<MoneyAnswer> {
  const amountMinor = parseAmount(request.amount, request.currency);
  if (amountMinor === undefined) return refuse('invalid_request', `amount '${request.amount}' ${request.currency} is not valid`);
  const bank = desk.settings.code;
  const previous = desk.operations.get(bank, request.requestId);
  if (previous) return replay(previous, request, amountMinor);
  const fate = drawFate(desk.settings, desk.draw());
  const reason = fate === 'decline' ? 'bank_declined' : apply(desk, request, amountMinor);
  const time = desk.now();
  const operation: OperationRecord = {
    bank,
    requestId: request.requestId,
    bankRef: desk.nextBankRef(),
    type: request.type,
    token: request.token,
    amountMinor,
    currency: request.currency,
    status: reason ? 'failed' : 'succeeded',
    ...(reason ? { reason } : {}),
    time,
    day: desk.dayOf(time),
  };
  desk.operations.add(operation);
  return ok({ operation, late: fate === 'late' });
}

/** The first answer again, unless the request id now carries a different operation. */
function replay(previous: OperationRecord, request: MoneyRequest, amountMinor: bigint): SimResult<MoneyAnswer> {
  const same =
    previous.type === request.type && previous.token === request.token && previous.amountMinor === amountMinor && previous.currency === request.currency;
  if (!same) return refuse('request_id_reused', `request id '${request.requestId}' was used for a different operation`);
  return ok({ operation: previous, late: false });
}

/** Moves the money; returns why not, or undefined when it moved. */
function apply(desk: MoneyDesk, request: MoneyRequest, amountMinor: bigint): DeclineReason | undefined {
  const token = desk.bindings.token(desk.settings.code, request.token);
  const card = token && desk.cards.byKey(token.cardKey);
  if (!card) return 'token_unknown';
  if (!desk.settings.currencies.includes(request.currency) || card.currency !== request.currency) {
    return 'currency_not_supported';
  }
  if (request.type === 'debit') {
    if (card.balanceMinor < amountMinor) return 'insufficient_funds';
    card.balanceMinor -= amountMinor;
  } else {
    card.balanceMinor += amountMinor;
  }
  return undefined;
}

function parseAmount(amount: string, currency: string): bigint | undefined {
  try {
    const minor = parseMinor(amount, requireCurrency(currency));
    return minor > 0n ? minor : undefined;
  } catch {
    return undefined;
  }
}
