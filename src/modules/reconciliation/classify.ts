// Pure: what one statement line says about Formica's operation of the same request id. The
// difference is always "what the bank moved minus what Formica booked", as the reserve sees it
// (a debit of the card brings money in, a credit to the card takes it out).
import type { OperationRecord, OperationStatus } from '../cards/card-payments.ts';
import type { StatementLine } from '../channels/statement-csv.ts';
import type { ItemKind, ItemState } from './recon-types.ts';

export interface Verdict {
  readonly kind: ItemKind;
  readonly state: ItemState;
  /** Bank minus Formica, signed as the reserve sees it; parked in suspense when kind is long/mismatch. */
  readonly deltaMinor: bigint;
  readonly alert: boolean;
  readonly note: string;
}

export function lineEffect(line: StatementLine): bigint {
  if (line.status !== 'succeeded') return 0n;
  return line.type === 'debit' ? line.amountMinor : -line.amountMinor;
}

/** What a posted operation did to the reserve; nothing unless it is posted. */
export function bookedEffect(op: OperationRecord, status: OperationStatus): bigint {
  if (status !== 'succeeded') return 0n;
  return op.kind === 'topup' ? op.amountMinor : -op.amountMinor;
}

export function expectedLineType(op: OperationRecord): 'debit' | 'credit' {
  return op.kind === 'topup' ? 'debit' : 'credit';
}

/** `status` is the operation's status after any settling the line allowed; `settled` says whether it did. */
export function classify(line: StatementLine, op: OperationRecord | undefined, status: OperationStatus | undefined, settled: boolean): Verdict {
  const bank = lineEffect(line);
  if (!op || !status) {
    if (bank === 0n) return { kind: 'long', state: 'closed', deltaMinor: 0n, alert: false, note: 'unknown to Formica, failed at the bank: nothing moved' };
    return { kind: 'long', state: 'open', deltaMinor: bank, alert: true, note: 'the bank has it, Formica does not: parked in suspense for review' };
  }
  const booked = bookedEffect(op, status);
  const delta = bank - booked;
  if (delta === 0n)
    return { kind: settled ? 'settled' : 'matched', state: 'closed', deltaMinor: 0n, alert: false, note: settled ? `settled by the statement: ${status}` : '' };
  if (bank === 0n) {
    return {
      kind: 'short',
      state: 'short_pending',
      deltaMinor: 0n,
      alert: false,
      note: 'Formica posted it, the bank reports it failed: waiting for the next statement',
    };
  }
  if (booked === 0n && (status === 'failed' || status === 'reversed') && line.type === expectedLineType(op)) {
    return { kind: 'long', state: 'open', deltaMinor: delta, alert: true, note: `Formica has it ${status}, the bank moved the money: parked in suspense` };
  }
  return { kind: 'mismatch', state: 'open', deltaMinor: delta, alert: true, note: mismatchNote(line, op, status) };
}

function mismatchNote(line: StatementLine, op: OperationRecord, status: OperationStatus): string {
  if (line.type !== expectedLineType(op)) return `the bank reports a ${line.type} for a ${op.kind}: difference parked in suspense`;
  if (status !== 'succeeded') return `the operation is still ${status}: difference parked in suspense`;
  return `amounts differ (bank ${line.amountMinor}, Formica ${op.amountMinor} fen): difference parked in suspense`;
}
