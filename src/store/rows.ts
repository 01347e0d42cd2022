// Row <-> model mapping shared by the SQL stores (column names are the same in every dialect).
import type { Account, PendingStatus, Transfer } from '../ledger/index.ts';

export interface AccountRow {
  id: string;
  ledger: bigint | number;
  code: bigint | number;
  flags: bigint | number;
  user_data: string;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
  timestamp: bigint;
}

export interface TransferRow {
  id: string;
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  pending_id: string;
  timeout: bigint | number;
  ledger: bigint | number;
  code: bigint | number;
  flags: bigint | number;
  user_data: string;
  timestamp: bigint;
}

export interface PendingRow {
  id: string;
  status: string;
  expires_at: bigint;
}

export function accountFromRow(r: AccountRow): Account {
  return {
    id: r.id,
    ledger: Number(r.ledger),
    code: Number(r.code),
    flags: Number(r.flags),
    userData: r.user_data,
    debitsPending: BigInt(r.debits_pending),
    debitsPosted: BigInt(r.debits_posted),
    creditsPending: BigInt(r.credits_pending),
    creditsPosted: BigInt(r.credits_posted),
    timestamp: BigInt(r.timestamp),
  };
}

export function transferFromRow(r: TransferRow): Transfer {
  return {
    id: r.id,
    debitAccountId: r.debit_account_id,
    creditAccountId: r.credit_account_id,
    amount: BigInt(r.amount),
    pendingId: r.pending_id,
    timeout: Number(r.timeout),
    ledger: Number(r.ledger),
    code: Number(r.code),
    flags: Number(r.flags),
    userData: r.user_data,
    timestamp: BigInt(r.timestamp),
  };
}

export function pendingFromRow(r: PendingRow): { id: string; status: PendingStatus; expiresAt: bigint } {
  return { id: r.id, status: r.status as PendingStatus, expiresAt: BigInt(r.expires_at) };
}

export const ACCOUNT_COLUMNS = 'id, ledger, code, flags, user_data, debits_pending, debits_posted, credits_pending, credits_posted, timestamp';
export const TRANSFER_COLUMNS = 'id, debit_account_id, credit_account_id, amount, pending_id, timeout, ledger, code, flags, user_data, timestamp';
