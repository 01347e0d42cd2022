// Builders for the events modules post most: a plain or pending transfer with the fields nobody
// sets spelled out once, and the post or void that settles a pending transfer.
import { TransferFlag } from './flags.ts';
import type { TransferEvent } from './types.ts';

type Required = Pick<TransferEvent, 'id' | 'debitAccountId' | 'creditAccountId' | 'amount' | 'ledger' | 'code'>;

export function transferEvent(fields: Required & Partial<TransferEvent>): TransferEvent {
  return { pendingId: null, timeout: 0, flags: 0, userData: null, ...fields };
}

/** Posts (in full) or voids a pending transfer; everything else is inherited from it. */
export function settlePendingEvent(id: string, pendingId: string, post: boolean): TransferEvent {
  return transferEvent({
    id,
    debitAccountId: null,
    creditAccountId: null,
    amount: null,
    ledger: 0,
    code: 0,
    pendingId,
    flags: post ? TransferFlag.post_pending_transfer : TransferFlag.void_pending_transfer,
  });
}
