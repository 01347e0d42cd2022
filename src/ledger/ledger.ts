// The ledger's public face: pure functions from (snapshot, events, time) to (results, effects).
// No I/O, no clock, no randomness: the engine loads the snapshot and persists the effects.
import { createAccounts } from './create-accounts.ts';
import { createTransfers } from './create-transfers.ts';
import { expirePending } from './expire.ts';
import type { AccountResult, TransferResult } from './results.ts';
import type { AccountEvent, TransferEvent } from './types.ts';
import { type BatchEffects, type Snapshot, WorkingSet } from './working-set.ts';

export interface BatchOutcome<R> {
  /** One result list per request, in request order; chains never span requests. */
  readonly results: R[][];
  readonly effects: BatchEffects;
}

export interface TransferBatchOutcome extends BatchOutcome<TransferResult> {
  /** The ledger timestamp of each event's transfer (created or replayed), else null. */
  readonly timestamps: (bigint | null)[][];
}

/** The ids a transfer batch reads, for the store to load before the batch runs. */
export interface BatchKeys {
  readonly accountIds: Set<string>;
  readonly transferIds: Set<string>;
}

export function transferBatchKeys(requests: readonly (readonly TransferEvent[])[]): BatchKeys {
  const accountIds = new Set<string>();
  const transferIds = new Set<string>();
  for (const events of requests) {
    for (const t of events) {
      transferIds.add(t.id);
      if (t.pendingId) transferIds.add(t.pendingId);
      if (t.debitAccountId) accountIds.add(t.debitAccountId);
      if (t.creditAccountId) accountIds.add(t.creditAccountId);
    }
  }
  return { accountIds, transferIds };
}

export function accountBatchKeys(requests: readonly (readonly AccountEvent[])[]): BatchKeys {
  const accountIds = new Set<string>();
  for (const events of requests) for (const a of events) accountIds.add(a.id);
  return { accountIds, transferIds: new Set() };
}

export function runTransferBatch(snapshot: Snapshot, requests: readonly (readonly TransferEvent[])[], nowNs: bigint): TransferBatchOutcome {
  const work = new WorkingSet(snapshot);
  const results = requests.map((events) => createTransfers(work, events, nowNs));
  const timestamps = requests.map((events, i) =>
    events.map((t, j) => (results[i][j] === 'ok' || results[i][j] === 'exists' ? (work.transfer(t.id)?.timestamp ?? null) : null)),
  );
  return { results, timestamps, effects: work.effects() };
}

export function runAccountBatch(snapshot: Snapshot, requests: readonly (readonly AccountEvent[])[], nowNs: bigint): BatchOutcome<AccountResult> {
  const work = new WorkingSet(snapshot);
  const results = requests.map((events) => createAccounts(work, events, nowNs));
  return { results, effects: work.effects() };
}

export function runExpiry(snapshot: Snapshot, pendingIds: readonly string[], nowNs: bigint): BatchOutcome<never> {
  const work = new WorkingSet(snapshot);
  expirePending(work, pendingIds, nowNs);
  return { results: [], effects: work.effects() };
}
