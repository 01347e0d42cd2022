// Each day, for the last closed day and every biller Formica has paid: reconcile the biller's settlement file with
// the reconciliation module (long, short and mismatched lines go to the biller's suspense account,
// as with the banks), then pay the biller the day's collections less Formica's fee. A biller whose
// file cannot be read is tried again an hour later; nothing is paid before its file is matched.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { addDays, dayOf, dayWindow } from '../reconciliation/day.ts';
import type { ReconciliationService } from '../reconciliation/reconciliation.ts';
import type { StepRunner } from '../books/step-runner.ts';
import type { BillerClient } from './biller-client.ts';
import { billerCounterparty, billerCounterpartyName, chargeInstOf } from './biller-counterparty.ts';
import type { BillsService } from './bills.ts';
import { billerOf } from './directory.ts';
import { type SettlementRow, settlementStep } from './settlement-steps.ts';

/** Billers' files are read an hour into the day, once late confirmations of the day before are in; */
const FILE_READY_MS = 3_600_000;
/** a file that could not be read is asked for again this much later. */
const RETRY_MS = 3_600_000;

export class BillerSettlements {
  private lastAttemptMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly db: SqlDatabase,
    private readonly runner: StepRunner,
    private readonly clock: Clock,
    private readonly bills: BillsService,
    private readonly biller: BillerClient,
    private readonly reconciliation: ReconciliationService,
  ) {
    // An operator resolving a biller's suspense entry finds the biller by its items' name.
    reconciliation.register((name) => {
      const chargeInst = chargeInstOf(name);
      return chargeInst && billerOf(chargeInst) ? this.counterparty(chargeInst) : undefined;
    });
  }

  /** Settles the last closed day for every biller not settled yet; a job calls it. */
  async settleLastClosedDay(): Promise<number> {
    if (this.clock.now() < this.readyAt()) return 0;
    this.lastAttemptMs = this.clock.now();
    return (await this.settle(this.lastClosedDay())).length;
  }

  /** Reconciles and pays every biller for `date` (a closed day); safe to run again. Returns the settlements made now. */
  async settle(date: string): Promise<SettlementRow[]> {
    const made: SettlementRow[] = [];
    const { fromMs, toMs } = dayWindow(date, this.reconciliation.day);
    for (const chargeInst of await this.billersInUse()) {
      if (await this.find(chargeInst, date)) continue;
      await this.reconciliation.reconcileCounterparty(this.counterparty(chargeInst), date);
      if ((await this.reconciliation.runStatus(billerCounterpartyName(chargeInst), date)) !== 'complete') continue;
      const row = await this.runner.run(settlementStep({ chargeInst, date, fromMs, toMs, nowMs: this.clock.now() }));
      if (row) made.push(row);
    }
    return made;
  }

  list(date: string): Promise<SettlementRow[]> {
    return this.db.all<SettlementRow>('SELECT * FROM biller_settlements WHERE date = ? ORDER BY charge_inst', [date]);
  }

  /** When the job is next due: while the last closed day has billers to settle, an hour into the day
   *  (or an hour after a failed attempt); else an hour into tomorrow. */
  async nextDue(): Promise<number> {
    const settled = await this.db.get<{ n: bigint }>('SELECT COUNT(*) AS n FROM biller_settlements WHERE date = ?', [this.lastClosedDay()]);
    if (Number(settled?.n ?? 0) < (await this.billersInUse()).length) return Math.max(this.readyAt(), this.lastAttemptMs + RETRY_MS);
    return dayWindow(dayOf(this.clock.now(), this.reconciliation.day), this.reconciliation.day).toMs + FILE_READY_MS;
  }

  /** Billers Formica has ever sent a payment: only they have files to reconcile and money to receive. */
  private async billersInUse(): Promise<string[]> {
    const rows = await this.db.all<{ charge_inst: string }>('SELECT DISTINCT charge_inst FROM bill_payments ORDER BY charge_inst');
    return rows.map((r) => r.charge_inst);
  }

  private counterparty(chargeInst: string) {
    return billerCounterparty(chargeInst, this.bills, this.biller);
  }

  private find(chargeInst: string, date: string): Promise<SettlementRow | undefined> {
    return this.db.get<SettlementRow>('SELECT * FROM biller_settlements WHERE charge_inst = ? AND date = ?', [chargeInst, date]);
  }

  private lastClosedDay(): string {
    return addDays(dayOf(this.clock.now(), this.reconciliation.day), -1);
  }

  private readyAt(): number {
    return dayWindow(dayOf(this.clock.now(), this.reconciliation.day), this.reconciliation.day).fromMs + FILE_READY_MS;
  }
}
