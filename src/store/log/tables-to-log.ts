// A ledger kept in tables, as log records: what converting a store to the log layout appends.
// Accounts get their integer keys in creation order, and each record holds at most CHUNK
// accounts, transfers, pending states or failures, so no log row grows past the stores' limits.
import type { Account, PendingState, Transfer, TransferResult } from '../../ledger/index.ts';
import type { LogRecord } from './codec.ts';

/** Accounts, transfers, pending states or failures per converted log row. */
const CHUNK = 65_536;

export interface TablesLedger {
  /** In creation (timestamp) order. */
  readonly accounts: readonly Account[];
  /** In timestamp order. */
  readonly transfers: readonly Transfer[];
  readonly pending: readonly PendingState[];
  readonly failures: readonly { id: string; result: TransferResult }[];
  readonly lastTimestamp: bigint;
}

/** The log records of `ledger`, and each account's key (its position in creation order, from 1). */
export function tablesToLog(ledger: TablesLedger): { records: LogRecord[]; keys: Map<string, number> } {
  const { accounts, transfers, pending, failures, lastTimestamp } = ledger;
  const keys = new Map(accounts.map((account, i) => [account.id, i + 1]));
  const empty = { newAccounts: [], afterImages: [], transfers: [], newPending: [], resolvedPending: [], failures: [], lastTimestamp };
  const records: LogRecord[] = [];
  for (let i = 0; i < accounts.length; i += CHUNK) {
    records.push({ ...empty, newAccounts: accounts.slice(i, i + CHUNK).map((account, j) => ({ key: i + j + 1, account })) });
  }
  for (let i = 0; i < transfers.length; i += CHUNK) records.push({ ...empty, transfers: transfers.slice(i, i + CHUNK) });
  for (let i = 0; i < pending.length; i += CHUNK) records.push({ ...empty, newPending: pending.slice(i, i + CHUNK) });
  for (let i = 0; i < failures.length; i += CHUNK) records.push({ ...empty, failures: failures.slice(i, i + CHUNK) });
  return { records, keys };
}
