// Daily statements: which day an operation belongs to (by time zone and cut-over), and the lines a
// bank reports for a day, including discrepancies planted by tests (extra, altered, dropped lines)
// so reconciliation has something to find.
import type { StatementLine } from '../../src/modules/channels/statement-csv.ts';
import type { OperationRecord } from './sim-types.ts';

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * The statement day of an instant. With a cut-over of 23:00 (1380 minutes), 23:30 local time on
 * the 1st already belongs to the 2nd.
 */
export function statementDay(ms: number, timeZone: string, cutoverMinutes = 0): string {
  const shiftMs = ((1440 - cutoverMinutes) % 1440) * 60_000;
  const parts = formatterFor(timeZone).formatToParts(new Date(ms + shiftMs));
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // Throws RangeError for an unknown zone, which is what a bad configuration deserves.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export type Plant =
  | { readonly action: 'add'; readonly day: string; readonly line: StatementLine }
  | { readonly action: 'alter'; readonly requestId: string; readonly amountMinor: bigint }
  | { readonly action: 'drop'; readonly requestId: string };

export interface PlantSnapshot {
  readonly extra: Array<Omit<StatementLine, 'amountMinor'> & { amountMinor: string; day: string }>;
  readonly altered: Array<[string, string]>;
  readonly dropped: string[];
}

/** One bank's planted discrepancies. */
export class PlantedLines {
  private readonly extra = new Map<string, StatementLine[]>();
  private readonly altered = new Map<string, bigint>();
  private readonly dropped = new Set<string>();

  plant(plant: Plant): void {
    if (plant.action === 'add') {
      const list = this.extra.get(plant.day) ?? [];
      list.push(plant.line);
      this.extra.set(plant.day, list);
    } else if (plant.action === 'alter') {
      this.altered.set(plant.requestId, plant.amountMinor);
    } else {
      this.dropped.add(plant.requestId);
    }
  }

  /** The day's lines as the bank reports them, in time order. */
  linesFor(day: string, operations: readonly OperationRecord[]): StatementLine[] {
    const lines = [...operations.map(toLine), ...(this.extra.get(day) ?? [])]
      .filter((l) => !this.dropped.has(l.requestId))
      .map((l) => {
        const amountMinor = this.altered.get(l.requestId);
        return amountMinor === undefined ? l : { ...l, amountMinor };
      });
    return lines.sort((a, b) => a.time - b.time || a.requestId.localeCompare(b.requestId));
  }

  snapshot(): PlantSnapshot {
    const extra = [...this.extra].flatMap(([day, lines]) => lines.map((l) => ({ ...l, amountMinor: l.amountMinor.toString(), day })));
    return {
      extra,
      altered: [...this.altered].map(([id, amount]) => [id, amount.toString()]),
      dropped: [...this.dropped],
    };
  }

  restore(snapshot: PlantSnapshot): void {
    for (const { day, ...line } of snapshot.extra) {
      this.plant({ action: 'add', day, line: { ...line, amountMinor: BigInt(line.amountMinor) } });
    }
    for (const [requestId, amount] of snapshot.altered) this.altered.set(requestId, BigInt(amount));
    for (const requestId of snapshot.dropped) this.dropped.add(requestId);
  }
}

function toLine(op: OperationRecord): StatementLine {
  return {
    requestId: op.requestId,
    bankRef: op.bankRef,
    type: op.type,
    amountMinor: op.amountMinor,
    currency: op.currency,
    status: op.status,
    time: op.time,
  };
}
