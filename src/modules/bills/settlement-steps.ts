// A biller's daily settlement as one step: claim the (biller, date) row with the day's collections
// summed in the same transaction, then pay the biller the collections less Formica's fee (a linked
// pair: both or neither), recorded in the commit that moves the money. A rerun finds the row.
import { TransferFlag, transferEvent } from '../../ledger/index.ts';
import type { TransferEvent } from '../../ledger/index.ts';
import { billerCollectionsAccountId, billerPayoutsAccountId, derivedId, platformRevenueAccountId, TransferCode } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { ledgerVerdict, type Step } from '../books/step-runner.ts';
import { billerPayout } from './settlement-fee.ts';

export interface SettlementRow extends Record<string, unknown> {
  charge_inst: string;
  date: string;
  payments: bigint;
  gross_minor: bigint;
  fee_minor: bigint;
  net_minor: bigint;
  created_at: bigint;
}

export interface SettlementInput {
  readonly chargeInst: string;
  readonly date: string;
  /** The day's window: payments confirmed in [fromMs, toMs) are the day's collections. */
  readonly fromMs: number;
  readonly toMs: number;
  readonly nowMs: number;
}

/** The payout and fee transfers; none for a day without collections. */
export function payoutEvents(row: SettlementRow): TransferEvent[] {
  const from = billerCollectionsAccountId(row.charge_inst);
  const move = (id: string, to: string, amount: bigint, code: number, flags: number) =>
    transferEvent({
      id,
      debitAccountId: from,
      creditAccountId: to,
      amount,
      ledger: PLATFORM_CURRENCY.ledger,
      code,
      flags,
      userData: `${row.charge_inst}/${row.date}`,
    });
  const events: TransferEvent[] = [];
  if (row.net_minor > 0n)
    events.push(move(derivedId('bset', row.charge_inst, row.date), billerPayoutsAccountId(row.charge_inst), row.net_minor, TransferCode.billerSettlement, 0));
  if (row.fee_minor > 0n)
    events.push(move(derivedId('bfee', row.charge_inst, row.date), platformRevenueAccountId(PLATFORM_CURRENCY.code), row.fee_minor, TransferCode.billerFee, 0));
  // Linked: every event but the last carries the flag, so the payout and the fee post together.
  return events.map((e, i) => (i < events.length - 1 ? { ...e, flags: e.flags | TransferFlag.linked } : e));
}

export function settlementStep(input: SettlementInput): Step<SettlementRow | null, SettlementRow | null> {
  return {
    name: 'bills.settlement',
    maxEvents: 2,
    async claim(tx) {
      const sum = await tx.get<{ payments: bigint; gross: bigint | null }>(
        "SELECT COUNT(*) AS payments, SUM(amount_minor) AS gross FROM bill_payments WHERE charge_inst = ? AND status = 'completed' AND confirmed_at >= ? AND confirmed_at < ?",
        [input.chargeInst, BigInt(input.fromMs), BigInt(input.toMs)],
      );
      const gross = BigInt(sum?.gross ?? 0n);
      const { feeMinor, netMinor } = billerPayout(gross);
      const row: SettlementRow = {
        charge_inst: input.chargeInst,
        date: input.date,
        payments: BigInt(sum?.payments ?? 0n),
        gross_minor: gross,
        fee_minor: feeMinor,
        net_minor: netMinor,
        created_at: BigInt(input.nowMs),
      };
      const claimed = await tx.run(
        `INSERT INTO biller_settlements (charge_inst, date, payments, gross_minor, fee_minor, net_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (charge_inst, date) DO NOTHING`,
        [row.charge_inst, row.date, row.payments, row.gross_minor, row.fee_minor, row.net_minor, row.created_at],
      );
      return claimed.changes === 1 ? row : null;
    },
    plan: (row) => (row ? payoutEvents(row) : []),
    async record(_tx, row, outcomes) {
      const verdict = ledgerVerdict(outcomes);
      // The collections account has no limit: a refusal is a bug, and throwing undoes the claim.
      if (row && !verdict.applied) throw new Error(`the settlement of ${row.charge_inst} on ${row.date} was refused: ${verdict.result}`);
      return row;
    },
  };
}
