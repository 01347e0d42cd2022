// Expiry: pending transfers whose deadline the ledger's clock has passed are released.
import { invariant } from './invariant.ts';
import { releasePending } from './post-void.ts';
import type { WorkingSet } from './working-set.ts';

/** Expires the named pending transfers that are due at `nowNs`; returns how many expired. */
export function expirePending(work: WorkingSet, ids: readonly string[], nowNs: bigint): number {
  let expired = 0;
  for (const id of ids) {
    const state = work.pendingState(id);
    const transfer = work.transfer(id);
    invariant(state !== undefined && transfer !== undefined, `pending transfer ${id} to expire is missing`);
    if (state.status !== 'pending' || state.expiresAt === 0n || state.expiresAt > nowNs) continue;
    releasePending(work, transfer, 0n);
    work.resolvePending(state, 'expired');
    expired++;
  }
  return expired;
}
