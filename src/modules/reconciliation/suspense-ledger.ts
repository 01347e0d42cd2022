// Reconciliation's ledger moves, each with an id derived from what it is about so a rerun meets
// `exists`: parking a difference in a bank's suspense account, reversing an operation the bank
// never made, and an operator's resolution of a suspense entry.
import { type TransferResult, transferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { derivedId, reserveAccountId, suspenseAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { ledgerVerdict, type StepRunner } from '../books/step-runner.ts';
import type { SystemAccounts } from '../books/system-accounts.ts';
import type { OperationRecord } from '../cards/card-payments.ts';
import type { ResolutionAction } from './recon-types.ts';

export interface Move {
  readonly transferId: string;
  readonly result: TransferResult;
  readonly done: boolean;
}

/** What to record with a move that was made, in the same commit (an item, a state). */
export type RecordMove = (tx: SqlExecutor, move: Move) => Promise<void>;

export class SuspenseLedger {
  constructor(
    private readonly runner: StepRunner,
    private readonly systemAccounts: SystemAccounts,
  ) {}

  /** The bank's reserve and its suspense account. */
  ensureAccounts(bank: string): Promise<void> {
    return this.systemAccounts.openBank(bank);
  }

  /**
   * Parks `deltaMinor` (what the bank moved minus what Formica booked) in suspense: positive means
   * the reserve holds more than Formica knew (reserve debited, suspense credited), negative less.
   */
  park(bank: string, lineKey: string, deltaMinor: bigint, tag: string, record?: RecordMove): Promise<Move> {
    const id = derivedId('sus', bank, lineKey, tag);
    const reserve = reserveAccountId(bank, PLATFORM_CURRENCY.code);
    const suspense = suspenseAccountId(bank, PLATFORM_CURRENCY.code);
    const up = deltaMinor > 0n;
    return this.move({ id, debit: up ? reserve : suspense, credit: up ? suspense : reserve, amount: abs(deltaMinor), code: TransferCode.suspense, userData: bank }, record);
  }

  /** Undoes a posted operation: a top-up goes back out of the wallet, a withdrawal back into its account (a wallet or a merchant's settlement account). */
  reverse(op: OperationRecord, record?: RecordMove): Promise<Move> {
    const wallet = op.accountId;
    const reserve = reserveAccountId(op.bank, op.currency);
    const topup = op.kind === 'topup';
    const debit = topup ? wallet : reserve;
    const credit = topup ? reserve : wallet;
    return this.move({ id: derivedId('rev', op.opId), debit, credit, amount: op.amountMinor, code: TransferCode.reconciliationReversal, userData: op.userId }, record);
  }

  /**
   * Clears a suspense entry: `topup` credits the wallet with money the bank holds for it,
   * `withdrawal` debits the wallet for money the bank paid it, `refund` settles with the reserve
   * (the bank returns the money to the payer, or recovers it).
   */
  resolve(bank: string, key: string, suspenseMinor: bigint, action: ResolutionAction, userId: string, record?: RecordMove): Promise<Move> {
    const id = derivedId('res', bank, key);
    const suspense = suspenseAccountId(bank, PLATFORM_CURRENCY.code);
    const other = action === 'refund' ? reserveAccountId(bank, PLATFORM_CURRENCY.code) : walletAccountId(userId);
    const out = suspenseMinor > 0n;
    return this.move({ id, debit: out ? suspense : other, credit: out ? other : suspense, amount: abs(suspenseMinor), code: TransferCode.suspenseResolution, userData: userId || bank }, record);
  }

  /** One transfer as a step; `record` runs in its commit when the transfer was made. */
  private move(t: { id: string; debit: string; credit: string; amount: bigint; code: number; userData: string }, record?: RecordMove): Promise<Move> {
    return this.runner.run({
      name: 'reconciliation.move',
      maxEvents: 1,
      claim: async () => undefined,
      plan: () => [transferEvent({ id: t.id, debitAccountId: t.debit, creditAccountId: t.credit, amount: t.amount, ledger: PLATFORM_CURRENCY.ledger, code: t.code, userData: t.userData })],
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
