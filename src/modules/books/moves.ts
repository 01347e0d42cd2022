// Money moves as ledger events: what a step's plan returns when it moves several amounts in the
// platform currency, all or nothing.
import { type TransferEvent, TransferFlag, transferEvent } from '../../ledger/index.ts';
import { PLATFORM_CURRENCY } from './platform-currency.ts';

/** One amount from one account to another, for a reason (the transfer code). */
export interface Move {
  readonly id: string;
  readonly debit: string;
  readonly credit: string;
  readonly amount: bigint;
  readonly code: number;
}

/** One move as a transfer event in the platform currency. */
export function moveEvent(m: Move, userData: string, flags = 0): TransferEvent {
  return transferEvent({
    id: m.id,
    debitAccountId: m.debit,
    creditAccountId: m.credit,
    amount: m.amount,
    ledger: PLATFORM_CURRENCY.ledger,
    code: m.code,
    userData,
    flags,
  });
}

/** The non-zero moves as transfer events; `linked` chains them so all land or none does. */
export function moveEvents(moves: readonly Move[], userData: string, linked = true): TransferEvent[] {
  const real = moves.filter((m) => m.amount > 0n);
  return real.map((m, i) => moveEvent(m, userData, linked && i < real.length - 1 ? TransferFlag.linked : 0));
}
