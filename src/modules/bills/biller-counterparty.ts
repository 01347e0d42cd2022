// A biller as a reconciliation counterparty: its daily settlement file against Formica's bill
// payments to it. A payment is money out to the biller, as a withdrawal is to a bank: the file's
// line is a credit, the biller's collections account plays the bank reserve's part, and a payment
// the file never lists is refunded to the payer by the reconciliation's reversal.
import type { SqlExecutor } from '../../store/sql.ts';
import type { OperationRecord, OperationStatus } from '../cards/card-payments.ts';
import { billerCollectionsAccountId, billerSuspenseAccountId, walletAccountId } from '../books/chart.ts';
import type { Counterparty } from '../reconciliation/counterparty.ts';
import type { BillerClient } from './biller-client.ts';
import type { PaymentRow } from './bill-steps.ts';
import type { BillsService } from './bills.ts';
import { parseSettlementFile } from './settlement-file.ts';

const PREFIX = 'biller:';

export function billerCounterpartyName(chargeInst: string): string {
  return `${PREFIX}${chargeInst}`;
}

export function chargeInstOf(name: string): string | undefined {
  return name.startsWith(PREFIX) ? name.slice(PREFIX.length) : undefined;
}

export function billerCounterparty(chargeInst: string, bills: BillsService, biller: BillerClient): Counterparty {
  const name = billerCounterpartyName(chargeInst);
  /** When the file says the biller confirmed each payment: a pending one is confirmed as of then. */
  const confirmedAt = new Map<string, number>();
  const asOperation = (row: PaymentRow) => toOperation(row, name);
  return {
    name,
    kind: 'biller',
    reserveAccountId: billerCollectionsAccountId(chargeInst),
    suspenseAccountId: billerSuspenseAccountId(chargeInst),
    // Opened with every biller's accounts when the bills module starts.
    openAccounts: async () => {},
    async statement(date) {
      const file = await biller.settlementFile(chargeInst, date);
      if (file.status !== 'ok') return { status: 'unavailable', why: file.message };
      const lines = parseSettlementFile(file.csv, chargeInst);
      for (const line of lines) confirmedAt.set(line.requestId, line.time);
      return { status: 'ok', lines };
    },
    async operation(opId) {
      const row = await bills.get(opId);
      return row && asOperation(row);
    },
    async operationsBetween(fromMs, toMs) {
      return (await bills.ofDay(chargeInst, fromMs, toMs)).map(asOperation);
    },
    async settleByStatement(opId, succeeded, reason) {
      const status = succeeded ? await bills.confirmByFile(opId, confirmedAt.get(opId) ?? null) : await bills.refundByFile(opId, reason);
      return operationStatus(status);
    },
    markReversed: (opId: string, reason: string, tx: SqlExecutor) => bills.markReversed(opId, reason, tx),
  };
}

function toOperation(row: PaymentRow, name: string): OperationRecord {
  const op = {
    opId: row.payment_id,
    userId: row.user_id,
    accountId: walletAccountId(row.user_id),
    kind: 'withdrawal' as const,
    bank: name,
    amountMinor: row.amount_minor,
    currency: row.currency,
    status: operationStatus(row.status),
    reason: row.reason,
    createdAt: Number(row.created_at),
  };
  return op;
}

function operationStatus(status: PaymentRow['status']): OperationStatus {
  if (status === 'completed') return 'succeeded';
  return status === 'pending' ? 'pending' : 'failed';
}
