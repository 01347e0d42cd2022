// Reconciliation's ledger moves, each with an id derived from what it is about so a rerun meets
// `exists`: parking a difference in a bank's suspense account, reversing an operation the bank
// never made, and an operator's resolution of a suspense entry.
import type { LedgerEngine } from '../../engine/ledger-engine.ts';
import { type TransferResult, transferEvent } from '../../ledger/index.ts';
import type { OperationRecord } from '../cards/card-payments.ts';
import { AccountCode, derivedId, reserveAccountId, suspenseAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import type { ResolutionAction } from './recon-types.ts';

const DONE: ReadonlySet<TransferResult> = new Set(['ok', 'exists']);

export interface Move {
  readonly transferId: string;
  readonly result: TransferResult;
  readonly done: boolean;
}

export class SuspenseLedger {
  constructor(private readonly engine: LedgerEngine) {}

  /** The bank's reserve (as the cards module opens it) and its suspense account. */
  async ensureAccounts(bank: string): Promise<void> {
    const currency = PLATFORM_CURRENCY;
    await this.engine.ensureAccount({ id: reserveAccountId(bank, currency.code), ledger: currency.ledger, code: AccountCode.bankReserve, flags: 0, userData: bank });
    // No balance limit: a difference may go either way, and either way it must be recorded.
    await this.engine.ensureAccount({ id: suspenseAccountId(bank, currency.code), ledger: currency.ledger, code: AccountCode.bankSuspense, flags: 0, userData: bank });
  }

  /**
   * Parks `deltaMinor` (what the bank moved minus what Formica booked) in suspense: positive means
   * the reserve holds more than Formica knew (reserve debited, suspense credited), negative less.
   */
  park(bank: string, lineKey: string, deltaMinor: bigint, tag = ''): Promise<Move> {
    const id = derivedId('sus', bank, lineKey, tag);
    const reserve = reserveAccountId(bank, PLATFORM_CURRENCY.code);
    const suspense = suspenseAccountId(bank, PLATFORM_CURRENCY.code);
    const up = deltaMinor > 0n;
    return this.move(id, up ? reserve : suspense, up ? suspense : reserve, abs(deltaMinor), TransferCode.suspense, bank);
  }

  /** Undoes a posted operation: a top-up goes back out of the wallet, a withdrawal back into it. */
  reverse(op: OperationRecord): Promise<Move> {
    const wallet = walletAccountId(op.userId);
    const reserve = reserveAccountId(op.bank, op.currency);
    const topup = op.kind === 'topup';
    return this.move(derivedId('rev', op.opId), topup ? wallet : reserve, topup ? reserve : wallet, op.amountMinor, TransferCode.reconciliationReversal, op.userId);
  }

  /**
   * Clears a suspense entry: `topup` credits the wallet with money the bank holds for it,
   * `withdrawal` debits the wallet for money the bank paid it, `refund` settles with the reserve
   * (the bank returns the money to the payer, or recovers it).
   */
  resolve(bank: string, key: string, suspenseMinor: bigint, action: ResolutionAction, userId: string): Promise<Move> {
    const id = derivedId('res', bank, key);
    const suspense = suspenseAccountId(bank, PLATFORM_CURRENCY.code);
    const other = action === 'refund' ? reserveAccountId(bank, PLATFORM_CURRENCY.code) : walletAccountId(userId);
    const out = suspenseMinor > 0n;
    return this.move(id, out ? suspense : other, out ? other : suspense, abs(suspenseMinor), TransferCode.suspenseResolution, userId || bank);
  }

  private async move(id: string, debit: string, credit: string, amount: bigint, code: number, userData: string): Promise<Move> {
    const [outcome] = await this.engine.submitTransfers([
      transferEvent({ id, debitAccountId: debit, creditAccountId: credit, amount, ledger: PLATFORM_CURRENCY.ledger, code, userData }),
    ]);
    return { transferId: id, result: outcome.result, done: DONE.has(outcome.result) };
  }
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}
