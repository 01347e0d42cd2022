// Reads and writes reconciliation runs and items. An item is written once per (bank, date, line)
// and afterwards only moves forward through its states, so a rerun finds it and leaves it alone.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import type { CounterpartyKind } from './counterparty.ts';
import type { BankRun, ItemKind, ItemState, ReconItem, RunStatus } from './recon-types.ts';

interface ItemRow extends Record<string, unknown> {
  bank: string;
  date: string;
  line_key: string;
  kind: string;
  state: string;
  op_id: string;
  line_type: string;
  bank_amount_minor: bigint | null;
  formica_amount_minor: bigint | null;
  suspense_minor: bigint;
  transfer_id: string;
  alert: bigint;
  note: string;
  resolution: string;
  resolution_transfer_id: string;
}

interface RunRow extends Record<string, unknown> {
  bank: string;
  date: string;
  status: string;
  statement_lines: bigint;
  note: string;
}

export interface ItemPatch {
  readonly state: ItemState;
  readonly note?: string;
  readonly kind?: ItemKind;
  readonly transferId?: string;
  readonly suspenseMinor?: bigint;
  readonly alert?: boolean;
  readonly resolution?: string;
  readonly resolutionTransferId?: string;
}

export class ItemStore {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  async get(bank: string, date: string, lineKey: string, tx: SqlExecutor = this.db): Promise<ReconItem | undefined> {
    const row = await tx.get<ItemRow>('SELECT * FROM reconciliation_items WHERE bank = ? AND date = ? AND line_key = ?', [bank, date, lineKey]);
    return row && toItem(row);
  }

  /** True when another day's item already accounts for the operation (it was on that statement). */
  async opSeenElsewhere(bank: string, opId: string, date: string): Promise<boolean> {
    const row = await this.db.get('SELECT 1 AS one FROM reconciliation_items WHERE bank = ? AND op_id = ? AND date <> ? LIMIT 1', [bank, opId, date]);
    return row !== undefined;
  }

  /** Inserts the item unless one exists for its line; returns the stored one. `tx`: the caller's
   *  transaction (a step's record, so the item commits with the ledger move it names). */
  async insert(item: ReconItem, tx: SqlExecutor = this.db): Promise<ReconItem> {
    const now = BigInt(this.clock.now());
    await tx.run(
      `INSERT INTO reconciliation_items (bank, date, line_key, kind, state, op_id, line_type, bank_amount_minor, formica_amount_minor,
         suspense_minor, transfer_id, alert, note, resolution, resolution_transfer_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bank, date, line_key) DO NOTHING`,
      [
        item.bank,
        item.date,
        item.lineKey,
        item.kind,
        item.state,
        item.opId,
        item.lineType,
        item.bankAmountMinor,
        item.formicaAmountMinor,
        item.suspenseMinor,
        item.transferId,
        item.alert ? 1n : 0n,
        item.note,
        item.resolution,
        item.resolutionTransferId,
        now,
        now,
      ],
    );
    return (await this.get(item.bank, item.date, item.lineKey, tx))!;
  }

  /** Moves an item on from `from`; false when it was no longer there (someone else moved it). */
  async update(item: ReconItem, from: ItemState, patch: ItemPatch, tx: SqlExecutor = this.db): Promise<boolean> {
    const next = { ...item, ...patch };
    const { changes } = await tx.run(
      `UPDATE reconciliation_items SET state = ?, kind = ?, note = ?, transfer_id = ?, suspense_minor = ?, alert = ?, resolution = ?,
         resolution_transfer_id = ?, updated_at = ? WHERE bank = ? AND date = ? AND line_key = ? AND state = ?`,
      [
        next.state,
        next.kind,
        next.note,
        next.transferId,
        next.suspenseMinor,
        next.alert ? 1n : 0n,
        next.resolution,
        next.resolutionTransferId,
        BigInt(this.clock.now()),
        item.bank,
        item.date,
        item.lineKey,
        from,
      ],
    );
    return changes === 1;
  }

  async inState(bank: string, date: string, state: ItemState): Promise<ReconItem[]> {
    const rows = await this.db.all<ItemRow>('SELECT * FROM reconciliation_items WHERE bank = ? AND date = ? AND state = ? ORDER BY line_key', [
      bank,
      date,
      state,
    ]);
    return rows.map(toItem);
  }

  async saveRun(bank: string, date: string, status: RunStatus, statementLines: number, note: string, kind: CounterpartyKind): Promise<void> {
    const now = BigInt(this.clock.now());
    await this.db.run(
      `INSERT INTO reconciliation_runs (bank, date, status, statement_lines, note, created_at, updated_at, counterparty_kind) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (bank, date) DO UPDATE SET status = excluded.status, statement_lines = excluded.statement_lines,
         note = excluded.note, updated_at = excluded.updated_at`,
      [bank, date, status, BigInt(statementLines), note, now, now, kind],
    );
  }

  async runsOf(date: string): Promise<BankRun[]> {
    const runs = await this.db.all<RunRow>('SELECT * FROM reconciliation_runs WHERE date = ? ORDER BY bank', [date]);
    const items = await this.db.all<ItemRow>('SELECT * FROM reconciliation_items WHERE date = ? ORDER BY bank, created_at, line_key', [date]);
    return runs.map((r) => ({
      bank: r.bank,
      date: r.date,
      status: r.status as RunStatus,
      statementLines: Number(r.statement_lines),
      note: r.note,
      items: items.filter((i) => i.bank === r.bank).map(toItem),
    }));
  }

  async knownBanks(): Promise<string[]> {
    const rows = await this.db.all<{ bank: string }>("SELECT DISTINCT bank FROM reconciliation_runs WHERE counterparty_kind = 'bank'");
    return rows.map((r) => r.bank);
  }

  /** How `name`'s run of `date` ended, if it ran. */
  async runStatus(name: string, date: string): Promise<RunStatus | undefined> {
    const row = await this.db.get<{ status: string }>('SELECT status FROM reconciliation_runs WHERE bank = ? AND date = ?', [name, date]);
    return row?.status as RunStatus | undefined;
  }
}

function toItem(r: ItemRow): ReconItem {
  return {
    bank: r.bank,
    date: r.date,
    lineKey: r.line_key,
    kind: r.kind as ItemKind,
    state: r.state as ItemState,
    opId: r.op_id,
    lineType: r.line_type === 'debit' || r.line_type === 'credit' ? r.line_type : '',
    bankAmountMinor: r.bank_amount_minor === null ? null : BigInt(r.bank_amount_minor),
    formicaAmountMinor: r.formica_amount_minor === null ? null : BigInt(r.formica_amount_minor),
    suspenseMinor: BigInt(r.suspense_minor),
    transferId: r.transfer_id,
    alert: BigInt(r.alert) === 1n,
    note: r.note,
    resolution: r.resolution,
    resolutionTransferId: r.resolution_transfer_id,
  };
}
