// A card operation's two steps on the books. `open` claims the operation under its request id and
// holds the money as a pending transfer between the bank's reserve and the wallet, in one commit:
// the operation is `pending` (the bank may be asked) or `failed` (the ledger refused), never half
// done. `settle` posts or voids the hold by the bank's answer and records it, again in one commit.
// Between them the bank is asked; a crash there leaves a `pending` operation that the resume pass
// settles by asking the bank (and compensates by voiding when the bank never received it).
import { settlePendingEvent, TransferFlag, type TransferResult, transferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { derivedId, reserveAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { ledgerVerdict, type Step } from '../books/step-runner.ts';
import { WalletError } from '../wallet/wallet-errors.ts';

export type OperationKind = 'topup' | 'withdrawal';
/** `started` only in rows of earlier versions (claimed before the hold); `reversed`: posted, then
 *  undone by reconciliation because the bank never made it. */
export type OperationStatus = 'started' | 'pending' | 'succeeded' | 'failed' | 'reversed';

export interface OpRow extends Record<string, unknown> {
  op_id: string;
  user_id: string;
  kind: string;
  request_id: string;
  card_id: string;
  bank: string;
  amount_minor: bigint;
  currency: string;
  pending_id: string;
  status: string;
  reason: string;
  created_at: bigint;
  /** Null: the wallet of user_id. */
  account_id: string | null;
}

export interface NewOperation {
  readonly opId: string;
  /** Whose money it is: a user (their wallet), or a merchant (its settlement account). */
  readonly userId: string;
  /** The ledger account the money leaves or enters; the user's wallet when absent. */
  readonly accountId?: string;
  readonly kind: OperationKind;
  readonly requestId: string;
  readonly cardId: string;
  readonly bank: string;
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** How a bank's answer settles a hold. */
export type Settlement = { readonly post: true } | { readonly post: false; readonly reason: string };

const POSTED: ReadonlySet<TransferResult> = new Set(['ok', 'exists', 'pending_transfer_already_posted']);
const VOIDED: ReadonlySet<TransferResult> = new Set(['ok', 'exists', 'pending_transfer_already_voided', 'pending_transfer_expired']);

export function findOperation(tx: SqlExecutor, opId: string): Promise<OpRow | undefined> {
  return tx.get<OpRow>('SELECT * FROM channel_operations WHERE op_id = ?', [opId]);
}

/** The ledger account an operation moves money in or out of. */
export function operationAccountId(row: OpRow): string {
  return row.account_id ?? walletAccountId(row.user_id);
}

/** Top-up: reserve -> wallet. Withdrawal: wallet -> reserve (held now, so the balance never goes negative). */
function holdEvent(row: OpRow) {
  const wallet = operationAccountId(row);
  const reserve = reserveAccountId(row.bank, row.currency);
  const topup = row.kind === 'topup';
  return transferEvent({
    id: row.pending_id,
    debitAccountId: topup ? reserve : wallet,
    creditAccountId: topup ? wallet : reserve,
    amount: row.amount_minor,
    ledger: PLATFORM_CURRENCY.ledger,
    code: topup ? TransferCode.topup : TransferCode.withdrawal,
    flags: TransferFlag.pending,
    userData: row.user_id,
  });
}

/** The operation after `open`: whether this call claimed it (false: a replay) and made its hold. */
export interface Opened {
  readonly row: OpRow;
  readonly fresh: boolean;
  readonly held: boolean;
}

/** Claims the operation (or finds the one a replay names) and holds its money. */
export function openStep(op: NewOperation, nowMs: number): Step<OpRow, Opened> {
  return {
    name: `cards.${op.kind}.open`,
    maxEvents: 1,
    async claim(tx) {
      await tx.run(
        `INSERT INTO channel_operations (op_id, user_id, kind, request_id, card_id, bank, amount_minor, currency, pending_id, status, created_at, account_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'started', ?, ?) ON CONFLICT (op_id) DO NOTHING`,
        [op.opId, op.userId, op.kind, op.requestId, op.cardId, op.bank, op.amountMinor, op.currency, op.opId, BigInt(nowMs), op.accountId ?? null],
      );
      const row = await findOperation(tx, op.opId);
      if (!row || row.card_id !== op.cardId || row.amount_minor !== op.amountMinor || row.currency !== op.currency) {
        throw new WalletError('request_id_reused', `request_id '${op.requestId}' was already used for a different ${op.kind}`);
      }
      return row;
    },
    plan: (row) => (row.status === 'started' ? [holdEvent(row)] : []),
    async record(tx, row, outcomes) {
      if (row.status !== 'started') return { row, fresh: false, held: false };
      const verdict = ledgerVerdict(outcomes);
      const status = verdict.applied ? 'pending' : 'failed';
      const reason = verdict.applied ? '' : `${verdict.reason}:${verdict.result}`;
      await tx.run("UPDATE channel_operations SET status = ?, reason = ? WHERE op_id = ? AND status = 'started'", [status, reason, row.op_id]);
      return { row: { ...row, status, reason }, fresh: true, held: verdict.applied };
    },
  };
}

/** Posts or voids a pending operation's hold; a settled operation is left as it is. Returns its status. */
export function settleStep(opId: string, settlement: Settlement): Step<OpRow, OperationStatus> {
  return {
    name: 'cards.settle',
    maxEvents: 1,
    async claim(tx) {
      const row = await findOperation(tx, opId);
      if (!row) throw new WalletError('operation_not_found', `no channel operation '${opId}'`);
      return row;
    },
    plan: (row) =>
      row.status === 'pending' ? [settlePendingEvent(derivedId(settlement.post ? 'pst' : 'vod', row.pending_id), row.pending_id, settlement.post)] : [],
    async record(tx, row, outcomes) {
      if (row.status !== 'pending') return row.status as OperationStatus;
      const result = outcomes[0].result;
      const done = settlement.post ? POSTED.has(result) : VOIDED.has(result);
      if (!done) throw new Error(`cannot ${settlement.post ? 'post' : 'void'} ${row.pending_id}: ${result}`);
      const status = settlement.post ? 'succeeded' : 'failed';
      await tx.run("UPDATE channel_operations SET status = ?, reason = ? WHERE op_id = ? AND status = 'pending'", [
        status,
        settlement.post ? '' : settlement.reason,
        opId,
      ]);
      return status;
    },
  };
}
