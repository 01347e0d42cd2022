// Reconciliation's ledger moves, each with an id derived from what it is about so a rerun meets
// `exists`: parking a difference in a counterparty's suspense account, reversing an operation the
// counterparty never made, and an operator's resolution of a suspense entry.
import { type TransferResult, transferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { derivedId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { ledgerVerdict, type StepRunner } from '../books/step-runner.ts';
import type { OperationRecord } from '../cards/card-payments.ts';
import type { Counterparty } from './counterparty.ts';
import type { ResolutionAction } from './recon-types.ts';

export interface Move {
  readonly transferId: string;
  readonly result: TransferResult;
  readonly done: boolean;
}

/** What to record with a move that was made, in the same commit (an item, a state). */
export type RecordMove = (tx: SqlExecutor, move: Move) => Promise<void>;

export class SuspenseLedger {
  constructor(private readonly runner: StepRunner) {}

  /**
   * Parks `deltaMinor` (what the bank moved minus what Formica booked) in suspense: positive means
   * the reserve holds more than Formica knew (reserve debited, suspense credited), negative less.
   */
  park(cp: Counterparty, lineKey: string, deltaMinor: bigint, tag: string, record?: RecordMove): Promise<Move> {
    const id = derivedId('sus', cp.name, lineKey, tag);
    const reserve = cp.reserveAccountId;
    const suspense = cp.suspenseAccountId;
    const up = deltaMinor > 0n;
    return this.move(
      { id, debit: up ? reserve : suspense, credit: up ? suspense : reserve, amount: abs(deltaMinor), code: TransferCode.suspense, userData: cp.name },
      record,
    );
  }

  /** Undoes a posted operation: a top-up goes back out of the wallet, a withdrawal back into its account (a wallet or a merchant's settlement account). */
  reverse(cp: Counterparty, op: OperationRecord, record?: RecordMove): Promise<Move> {
    const wallet = op.accountId;
    const reserve = cp.reserveAccountId;
    const topup = op.kind === 'topup';
    const debit = topup ? wallet : reserve;
    const credit = topup ? reserve : wallet;
    return this.move(
      { id: derivedId('rev', op.opId), debit, credit, amount: op.amountMinor, code: TransferCode.reconciliationReversal, userData: op.userId },
      record,
    );
  }

  /**
   * Clears a suspense entry: `topup` credits the wallet with money the bank holds for it,
   * `withdrawal` debits the wallet for money the bank paid it, `refund` settles with the reserve
   * (the bank returns the money to the payer, or recovers it).
   */
  resolve(cp: Counterparty, key: string, suspenseMinor: bigint, action: ResolutionAction, userId: string, record?: RecordMove): Promise<Move> {
    const id = derivedId('res', cp.name, key);
    const suspense = cp.suspenseAccountId;
    const other = action === 'refund' ? cp.reserveAccountId : walletAccountId(userId);
    const out = suspenseMinor > 0n;
    return this.move(
      {
        id,
        debit: out ? suspense : other,
        credit: out ? other : suspense,
        amount: abs(suspenseMinor),
        code: TransferCode.suspenseResolution,
        userData: userId || cp.name,
      },
      record,
    );
  }

  /** One transfer as a step; `record` runs in its commit when the transfer was made. */
  private move(t: { id: string; debit: string; credit: string; amount: bigint; code: number; userData: string }, record?: RecordMove): Promise<Move> {
    return this.runner.run({
      name: 'reconciliation.move',
      maxEvents: 1,
      claim: async () => undefined,
      plan: () => [
        transferEvent({
          id: t.id,
          debitAccountId: t.debit,
          creditAccountId: t.credit,
          amount: t.amount,
          ledger: PLATFORM_CURRENCY.ledger,
          code: t.code,
          userData: t.userData,
        }),
      ],
      async record(tx, _claimed, outcomes) {
        const move = { transferId: t.id, result: outcomes[0].result, done: ledgerVerdict(outcomes).applied };
        if (move.done && record) await record(tx, move);
        return move;
      },
    });
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
