// Every debit and credit a simulated bank received, by request id (the idempotency key) and by day
// (for statements). A replay of a request id answers from here and never moves money twice.
import type { OperationRecord } from './sim-types.ts';

export interface OperationSnapshot extends Omit<OperationRecord, 'amountMinor'> {
  readonly amountMinor: string;
}

export class OperationBook {
  private readonly byId = new Map<string, OperationRecord>();
  private readonly byDay = new Map<string, OperationRecord[]>();

  get(bank: string, requestId: string): OperationRecord | undefined {
    return this.byId.get(idKey(bank, requestId));
  }

  add(record: OperationRecord): void {
    this.byId.set(idKey(record.bank, record.requestId), record);
    const key = dayKey(record.bank, record.day);
    const list = this.byDay.get(key);
    if (list) list.push(record);
    else this.byDay.set(key, [record]);
  }

  onDay(bank: string, day: string): readonly OperationRecord[] {
    return this.byDay.get(dayKey(bank, day)) ?? [];
  }

  count(): number {
    return this.byId.size;
  }

  snapshot(): OperationSnapshot[] {
    return [...this.byId.values()].map((r) => ({ ...r, amountMinor: r.amountMinor.toString() }));
  }

  restore(rows: readonly OperationSnapshot[]): void {
    for (const row of rows) this.add({ ...row, amountMinor: BigInt(row.amountMinor) });
  }
}

function idKey(bank: string, requestId: string): string {
  return `${bank}\u0000${requestId}`;
}

function dayKey(bank: string, day: string): string {
  return `${bank}\u0000${day}`;
}
