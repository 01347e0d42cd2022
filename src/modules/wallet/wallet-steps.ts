// The wallet's money moves as steps: a transfer between two wallets and an operator's adjustment.
// Each claims its row under the request id (and the payer's limits), plans one ledger transfer
// purely from the claimed row, and records how it ended: all in the ledger batch's commit, so a
// wallet transfer is never left `reserved` by a crash.
import type { TransferEvent } from '../../ledger/index.ts';
import { transferEvent } from '../../ledger/index.ts';
import type { SqlExecutor } from '../../store/sql.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { adjustmentsAccountId, TransferCode, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { type LedgerVerdict, ledgerVerdict, type Step } from '../books/step-runner.ts';
import type { Limit } from '../identity/limits.ts';
import type { SpendingLimits } from './spending-limits.ts';

export interface TransferRow extends Record<string, unknown> {
  user_id: string;
  request_id: string;
  transfer_id: string;
  to_user_id: string;
  amount_minor: bigint;
  currency: string;
  memo: string;
  status: string;
  reason: string;
  day_key: string;
  year_key: string;
  created_at: bigint;
}

/** A step's end: the verdict, or null when another call had claimed the request id first. */
export type StepEnd = LedgerVerdict | null;

export function walletTransferEvent(row: TransferRow): TransferEvent {
  return transferEvent({
    id: row.transfer_id,
    debitAccountId: walletAccountId(row.user_id),
    creditAccountId: walletAccountId(row.to_user_id),
    amount: row.amount_minor,
    ledger: PLATFORM_CURRENCY.ledger,
    code: TransferCode.walletTransfer,
    userData: row.user_id,
  });
}

/** Records the transfer's end: completed, or failed with its charge on the limits given back once. */
async function recordTransfer(tx: SqlExecutor, limits: SpendingLimits, row: TransferRow, verdict: LedgerVerdict, timestamp: bigint | null): Promise<void> {
  if (verdict.applied) {
    await tx.run("UPDATE wallet_transfers SET status = 'completed', ledger_timestamp = ? WHERE user_id = ? AND transfer_id = ?", [
      timestamp?.toString() ?? '',
      row.user_id,
      row.transfer_id,
    ]);
    return;
  }
  const marked = await tx.run("UPDATE wallet_transfers SET status = 'failed', reason = ? WHERE user_id = ? AND transfer_id = ? AND status = 'reserved'", [
    `${verdict.reason}:${verdict.result}`,
    row.user_id,
    row.transfer_id,
  ]);
  if (marked.changes === 1) await limits.uncharge(tx, row.user_id, row.amount_minor, { dayKey: row.day_key, yearKey: row.year_key });
}

/** A new transfer: its row is its claim (the request id, the amount and the periods it counts in); checks and counts the limits, pays, records. */
export function newTransferStep(limits: SpendingLimits, row: TransferRow, payerLimits: readonly Limit[]): Step<boolean, StepEnd> {
  return {
    name: 'wallet.transfer',
    maxEvents: 1,
    async claim(tx) {
      const claimed = await tx.run(
        `INSERT INTO wallet_transfers (user_id, request_id, transfer_id, to_user_id, amount_minor, currency, memo, status, day_key, year_key, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'reserved', ?, ?, ?) ON CONFLICT (user_id, transfer_id) DO NOTHING`,
        [row.user_id, row.request_id, row.transfer_id, row.to_user_id, row.amount_minor, row.currency, row.memo, row.day_key, row.year_key, row.created_at],
      );
      if (claimed.changes === 0) return false;
      await limits.charge(tx, row.user_id, row.amount_minor, payerLimits);
      return true;
    },
    plan: (fresh) => (fresh ? [walletTransferEvent(row)] : []),
    async record(tx, fresh, outcomes) {
      if (!fresh) return null;
      const verdict = ledgerVerdict(outcomes);
      await recordTransfer(tx, limits, row, verdict, outcomes[0].timestamp);
      return verdict;
    },
  };
}

/** Finishes a transfer found `reserved` (claimed by an earlier version that committed separately). */
export function resumeTransferStep(limits: SpendingLimits, row: TransferRow): Step<boolean, StepEnd> {
  return {
    name: 'wallet.transfer.resume',
    maxEvents: 1,
    async claim(tx) {
      const current = await tx.get<{ status: string }>('SELECT status FROM wallet_transfers WHERE user_id = ? AND transfer_id = ?', [
        row.user_id,
        row.transfer_id,
      ]);
      return current?.status === 'reserved';
    },
    plan: (reserved) => (reserved ? [walletTransferEvent(row)] : []),
    async record(tx, reserved, outcomes) {
      if (!reserved) return null;
      const verdict = ledgerVerdict(outcomes);
      await recordTransfer(tx, limits, row, verdict, outcomes[0].timestamp);
      return verdict;
    },
  };
}

export interface AdjustmentRow {
  readonly requestId: string;
  readonly userId: string;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly direction: 'credit' | 'debit';
  readonly reason: string;
  readonly transferId: string;
  readonly createdAt: bigint;
}

interface AdjustmentClaim {
  /** The audit row as first logged under this request id. */
  readonly logged: { user_id: string; amount_minor: bigint; direction: string; reason: string; status: string };
}

/** An operator's correction: logged in the audit table, applied, and its result logged, in one
 *  commit, with its entry in the platform audit log (the first time only: a replay adds none). */
export function adjustmentStep(row: AdjustmentRow, log: AuditLog): Step<AdjustmentClaim, { logged: AdjustmentClaim['logged']; verdict: LedgerVerdict | null }> {
  const credit = row.direction === 'credit';
  const system = adjustmentsAccountId(row.currency);
  const wallet = walletAccountId(row.userId);
  const matches = (logged: AdjustmentClaim['logged']) =>
    logged.user_id === row.userId && logged.amount_minor === row.amountMinor && logged.direction === row.direction && logged.reason === row.reason;
  return {
    name: 'wallet.adjustment',
    maxEvents: 1,
    async claim(tx) {
      await tx.run(
        `INSERT INTO wallet_adjustments (request_id, user_id, amount_minor, currency, direction, reason, transfer_id, status, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', ?) ON CONFLICT (request_id) DO NOTHING`,
        [row.requestId, row.userId, row.amountMinor, row.currency, row.direction, row.reason, row.transferId, row.createdAt],
      );
      const logged = await tx.get<AdjustmentClaim['logged']>(
        'SELECT user_id, amount_minor, direction, reason, status FROM wallet_adjustments WHERE request_id = ?',
        [row.requestId],
      );
      if (!logged) throw new Error(`adjustment ${row.requestId} vanished inside its own transaction`);
      return { logged };
    },
    // A replay with the same fields posts again: the ledger answers `exists` and nothing moves.
    plan: ({ logged }) =>
      matches(logged)
        ? [
            transferEvent({
              id: row.transferId,
              debitAccountId: credit ? system : wallet,
              creditAccountId: credit ? wallet : system,
              amount: row.amountMinor,
              ledger: PLATFORM_CURRENCY.ledger,
              code: credit ? TransferCode.adjustmentCredit : TransferCode.adjustmentDebit,
              userData: row.userId,
            }),
          ]
        : [],
    async record(tx, { logged }, outcomes) {
      if (!matches(logged)) return { logged, verdict: null };
      const verdict = ledgerVerdict(outcomes);
      const status = verdict.applied ? 'applied' : 'refused';
      await tx.run('UPDATE wallet_adjustments SET status = ?, result = ? WHERE request_id = ?', [status, outcomes[0].result, row.requestId]);
      if (logged.status === 'submitted') {
        const detail = `${row.direction} ${row.amountMinor} minor ${row.currency}: ${status} (${outcomes[0].result}); reason: ${row.reason}; request ${row.requestId}`;
        await log.append(tx, { kind: 'wallet.adjustment', actor: 'operator', subject: row.userId, detail });
      }
      return { logged, verdict };
    },
  };
}
