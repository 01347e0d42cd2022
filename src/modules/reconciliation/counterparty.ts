// The other side of a reconciliation: a bank with its daily statement, or a biller with its daily
// settlement file. Reconciliation matches the file's lines against the counterparty's operations
// in Formica and parks differences in the counterparty's suspense account, the same way for all.
import type { SqlExecutor } from '../../store/sql.ts';
import type { OperationRecord, OperationStatus } from '../cards/card-payments.ts';
import type { StatementLine } from '../channels/statement-csv.ts';

export type CounterpartyKind = 'bank' | 'biller';

export type CounterpartyStatement =
  | { readonly status: 'ok'; readonly lines: readonly StatementLine[] }
  | { readonly status: 'unavailable'; readonly why: string };

export interface Counterparty {
  /** Names its runs and items (a bank code, or `biller:<charge_inst>`). */
  readonly name: string;
  readonly kind: CounterpartyKind;
  /** Where Formica books the money the counterparty moves (a bank's reserve, a biller's collections), */
  readonly reserveAccountId: string;
  /** and where differences wait for review. */
  readonly suspenseAccountId: string;
  openAccounts(): Promise<void>;
  statement(date: string): Promise<CounterpartyStatement>;
  /** Formica's operation of a line's request id; `bank` on it names the counterparty it went to. */
  operation(opId: string): Promise<OperationRecord | undefined>;
  /** The operations the statement of [fromMs, toMs) should list. */
  operationsBetween(fromMs: number, toMs: number): Promise<OperationRecord[]>;
  /** Ends a pending operation as the statement shows it; answers its status after. */
  settleByStatement(opId: string, succeeded: boolean, reason: string): Promise<OperationStatus>;
  /** Records, in the reversing transfer's commit, that reconciliation undid the operation. */
  markReversed(opId: string, reason: string, tx: SqlExecutor): Promise<void>;
}
