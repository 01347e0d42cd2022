// The ledger's data model: TigerBeetle's accounts and transfers, with string ids and bigint amounts.
// Every balance is cumulative; an account's net position is derived, never stored.

export interface Account {
  readonly id: string;
  readonly ledger: number;
  readonly code: number;
  flags: number;
  readonly userData: string;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  readonly timestamp: bigint;
}

export interface Transfer {
  readonly id: string;
  readonly debitAccountId: string;
  readonly creditAccountId: string;
  /** What actually moved (a balancing transfer may move less than was asked). */
  readonly amount: bigint;
  /** '' unless this transfer posts or voids a pending one. */
  readonly pendingId: string;
  /** Seconds a pending transfer may stay pending; 0 means no timeout. */
  readonly timeout: number;
  readonly ledger: number;
  readonly code: number;
  readonly flags: number;
  readonly userData: string;
  readonly timestamp: bigint;
}

export type PendingStatus = 'pending' | 'posted' | 'voided' | 'expired';

/** The resolution of a pending transfer: changes once, from pending to one of the others. */
export interface PendingState {
  readonly id: string;
  status: PendingStatus;
  /** Ledger timestamp at which it expires; 0n when it has no timeout. */
  readonly expiresAt: bigint;
}

export interface AccountEvent {
  readonly id: string;
  readonly ledger: number;
  readonly code: number;
  readonly flags: number;
  readonly userData: string;
}

/**
 * A transfer as asked for. `null` means omitted: posts and voids may omit what they inherit from
 * the pending transfer; anything else treats omitted as zero.
 */
export interface TransferEvent {
  readonly id: string;
  readonly debitAccountId: string | null;
  readonly creditAccountId: string | null;
  readonly amount: bigint | null;
  readonly pendingId: string | null;
  readonly timeout: number;
  readonly ledger: number;
  readonly code: number;
  readonly flags: number;
  readonly userData: string | null;
}

export const MAX_BATCH_EVENTS = 8189;
export const NANOS_PER_SECOND = 1_000_000_000n;
