// What reconciliation records and reports. Amounts are minor units (fen); a suspense amount is
// signed: positive when the suspense account was credited (the bank holds money no wallet owns),
// negative when it was debited (the bank paid out money Formica still counts as held).
import type { ReservesReport } from './reserves.ts';

/** matched/settled: agree; long: bank only; short: Formica only; mismatch: amounts differ. */
export type ItemKind = 'matched' | 'settled' | 'long' | 'short' | 'mismatch';

/**
 * closed: nothing to do. open: parked in suspense, awaiting an operator. short_pending: waiting for
 * the next day's statement. reversed / found_next_day: a short, ended. resolved: an operator cleared it.
 */
export type ItemState = 'closed' | 'open' | 'short_pending' | 'reversed' | 'found_next_day' | 'resolved';

export const UNRESOLVED_STATES: ReadonlySet<ItemState> = new Set(['open', 'short_pending']);

export interface ReconItem {
  readonly bank: string;
  readonly date: string;
  /** The statement line's request id (or the operation id of a short). */
  readonly lineKey: string;
  readonly kind: ItemKind;
  readonly state: ItemState;
  /** Formica's operation, '' when Formica has none. */
  readonly opId: string;
  readonly lineType: 'debit' | 'credit' | '';
  readonly bankAmountMinor: bigint | null;
  readonly formicaAmountMinor: bigint | null;
  readonly suspenseMinor: bigint;
  /** The suspense or reversing transfer reconciliation posted, '' when none. */
  readonly transferId: string;
  readonly alert: boolean;
  readonly note: string;
  readonly resolution: string;
  readonly resolutionTransferId: string;
}

export type RunStatus = 'complete' | 'statement_unavailable';

export interface BankRun {
  readonly bank: string;
  readonly date: string;
  readonly status: RunStatus;
  readonly statementLines: number;
  readonly note: string;
  readonly items: ReconItem[];
}

export interface ReconciliationReport {
  readonly date: string;
  readonly banks: BankRun[];
  readonly reserves: ReservesReport;
  /** Items still open or waiting, plus banks whose statement could not be read. */
  readonly unresolved: number;
}

export type ResolutionAction = 'topup' | 'withdrawal' | 'refund';

export interface ResolutionInput {
  readonly bank: string;
  readonly date: string;
  readonly lineKey: string;
  readonly action: ResolutionAction;
  /** The wallet that receives the missing top-up or pays the missing withdrawal. */
  readonly userId?: string;
}

/** Progress of a long run, for the CLI's bar: phase per bank, lines done of total. */
export type ReconProgress = (bank: string, phase: 'statement' | 'lines' | 'shorts' | 'done', done: number, total: number) => void;
