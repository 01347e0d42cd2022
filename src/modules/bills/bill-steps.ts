// A bill payment's money as two steps with the biller's answer between them:
//   hold:   claim the request id and hold the amount from the wallet (a pending transfer into the
//           biller's collections account), in one commit;
//   finish: the biller confirmed (post the hold) or refused (void it: the money is back in the
//           wallet), recorded in the same commit as the ledger move, once.
import { settlePendingEvent, TransferFlag, transferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import { billerCollectionsAccountId, derivedId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../books/step-runner.ts';

export type PaymentStatus = 'pending' | 'completed' | 'refunded' | 'failed';

export interface PaymentRow extends Record<string, unknown> {
  payment_id: string;
  user_id: string;
  request_id: string;
  charge_inst: string;
  bill_key: string;
  amount_minor: bigint;
  currency: string;
  /** 'balance', or the id of the bound card the money came from. */
  funding: string;
  autopay_id: string;
  status: PaymentStatus;
  reason: string;
  hold_transfer_id: string;
  /** '' for balance payments; for a refused card payment: due, sent (to the card) or in_wallet. */
  card_refund: string;
  next_query_at: bigint;
  queries: bigint;
  created_at: bigint;
  confirmed_at: bigint | null;
  finished_at: bigint | null;
}

export function holdEvent(row: PaymentRow) {
  return transferEvent({
    id: row.hold_transfer_id,
    debitAccountId: walletAccountId(row.user_id),
    creditAccountId: billerCollectionsAccountId(row.charge_inst),
    amount: row.amount_minor,
    ledger: PLATFORM_CURRENCY.ledger,
    code: TransferCode.billPayment,
    flags: TransferFlag.pending,
    userData: row.payment_id,
  });
}

/** Claims the request id and holds the money; null when another call had claimed it first. */
export function holdStep(row: PaymentRow): Step<boolean, LedgerVerdict | null> {
  return {
    name: 'bills.hold',
    maxEvents: 1,
    async claim(tx) {
      const claimed = await tx.run(
        `INSERT INTO bill_payments (payment_id, user_id, request_id, charge_inst, bill_key, amount_minor, currency, funding, autopay_id, status, hold_transfer_id, next_query_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (user_id, request_id) DO NOTHING`,
        [
          row.payment_id,
          row.user_id,
          row.request_id,
          row.charge_inst,
          row.bill_key,
          row.amount_minor,
          row.currency,
          row.funding,
          row.autopay_id,
          row.hold_transfer_id,
          row.next_query_at,
          row.created_at,
        ],
      );
      return claimed.changes === 1;
    },
    plan: (fresh) => (fresh ? [holdEvent(row)] : []),
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      if (!verdict.applied) {
        await tx.run("UPDATE bill_payments SET status = 'failed', reason = ?, finished_at = ? WHERE payment_id = ?", [
          `${verdict.reason}:${verdict.result}`,
          row.created_at,
          row.payment_id,
        ]);
      }
      return verdict;
    },
  };
}

export interface Finish {
  readonly paymentId: string;
  readonly outcome: 'completed' | 'refunded';
  readonly reason: string;
  readonly atMs: number;
  /** When the biller confirmed; null for a refusal. */
  readonly confirmedAt: number | null;
}

/** Posts or voids the hold of a payment still pending; answers its status after (null: not pending). */
export function finishStep(finish: Finish): Step<PaymentRow | undefined, PaymentStatus | null> {
  const post = finish.outcome === 'completed';
  return {
    name: post ? 'bills.confirm' : 'bills.refund',
    maxEvents: 1,
    claim: (tx) => tx.get<PaymentRow>("SELECT * FROM bill_payments WHERE payment_id = ? AND status = 'pending'", [finish.paymentId]),
    plan: (row) => (row ? [settlePendingEvent(derivedId('bpf', row.payment_id), row.hold_transfer_id, post)] : []),
    async record(tx: SqlExecutor, row, outcomes) {
      if (!row) return null;
      const verdict = ledgerVerdict(outcomes);
      if (!verdict.applied) throw new Error(`the hold of bill payment ${row.payment_id} could not be ${post ? 'posted' : 'voided'}: ${verdict.result}`);
      const cardRefund = !post && row.funding !== 'balance' ? 'due' : '';
      await tx.run('UPDATE bill_payments SET status = ?, reason = ?, confirmed_at = ?, finished_at = ?, card_refund = ? WHERE payment_id = ?', [
        finish.outcome,
        finish.reason,
        finish.confirmedAt === null ? null : BigInt(finish.confirmedAt),
        BigInt(finish.atMs),
        cardRefund,
        row.payment_id,
      ]);
      return finish.outcome;
    },
  };
}
