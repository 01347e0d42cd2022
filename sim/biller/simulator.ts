// The biller simulator's state: the payments it accepted and how each ends. A payment is pending
// until its decision instant (a few seconds, or ten minutes for a late confirmation), then
// confirmed or refused; confirmed payments make up the daily settlement file. Refusals and late
// confirmations of households come from a seeded stream, so the same seed replays the same run.
import type { Clock } from '../../src/engine/clock.ts';
import { type RandomSource, seededRandom, seedFor } from '../bank/random.ts';
import { statementDay } from '../bank/statement.ts';
import { type Behaviour, type Bill, billOf } from './households.ts';

export interface BillerSimOptions {
  readonly clock: Clock;
  readonly seed: number;
  /** Zone of the settlement day; default Asia/Shanghai. */
  readonly timeZone?: string;
  /** Share of household payments refused, and of those confirmed only after LATE_CONFIRM_MS. */
  readonly refusalRate?: number;
  readonly lateRate?: number;
  /** How long a payment waits for its confirmation ("within seconds"). */
  readonly confirmMs?: number;
}

export const DEFAULT_CONFIRM_MS = 2_000;
export const LATE_CONFIRM_MS = 10 * 60_000;

export type PaymentStatus = 'pending' | 'confirmed' | 'refused';

export interface SimPayment {
  readonly paymentId: string;
  readonly chargeInst: string;
  readonly billKey: string;
  readonly amountMinor: bigint;
  readonly acceptedAt: number;
  readonly decideAt: number;
  readonly outcome: 'confirmed' | 'refused';
}

export interface SettlementLine {
  readonly paymentId: string;
  readonly chargeInst: string;
  readonly billKey: string;
  readonly amountMinor: bigint;
  readonly confirmedAt: number;
}

export type Plant =
  | { readonly action: 'add'; readonly chargeInst: string; readonly day: string; readonly line: SettlementLine }
  | { readonly action: 'alter'; readonly paymentId: string; readonly amountMinor: bigint }
  | { readonly action: 'drop'; readonly paymentId: string };

export type PayResult = { ok: true; payment: SimPayment } | { ok: false; code: 'bill_unknown' | 'payment_id_reused' };

export class BillerSimulator {
  readonly timeZone: string;
  private readonly payments = new Map<string, SimPayment>();
  private readonly plants: Plant[] = [];
  private random: RandomSource;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: BillerSimOptions) {
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    this.random = seededRandom(seedFor(options.seed, 'outcomes'));
  }

  /** The bill as it stands: its amount less what confirmed payments have paid of it. */
  bill(chargeInst: string, billKey: string): Bill | undefined {
    const bill = billOf(this.options.seed, chargeInst, billKey, this.options.clock.now(), this.timeZone);
    if (!bill) return undefined;
    const paid = [...this.payments.values()]
      .filter((p) => p.chargeInst === chargeInst && p.billKey === billKey && this.status(p) === 'confirmed')
      .reduce((sum, p) => sum + p.amountMinor, 0n);
    return { ...bill, dueMinor: paid >= bill.dueMinor ? 0n : bill.dueMinor - paid };
  }

  /** Accepts a payment once per id; the same id again answers the first payment. */
  pay(input: { paymentId: string; chargeInst: string; billKey: string; amountMinor: bigint }): PayResult {
    const known = this.payments.get(input.paymentId);
    if (known) {
      const same = known.chargeInst === input.chargeInst && known.billKey === input.billKey && known.amountMinor === input.amountMinor;
      return same ? { ok: true, payment: known } : { ok: false, code: 'payment_id_reused' };
    }
    const bill = this.bill(input.chargeInst, input.billKey);
    if (!bill) return { ok: false, code: 'bill_unknown' };
    const now = this.options.clock.now();
    const behaviour = bill.behaviour ?? this.draw();
    const payment: SimPayment = {
      ...input,
      acceptedAt: now,
      decideAt: now + (behaviour === 'late' ? LATE_CONFIRM_MS : (this.options.confirmMs ?? DEFAULT_CONFIRM_MS)),
      outcome: behaviour === 'refuse' ? 'refused' : 'confirmed',
    };
    this.payments.set(payment.paymentId, payment);
    this.changed();
    return { ok: true, payment };
  }

  payment(paymentId: string): SimPayment | undefined {
    return this.payments.get(paymentId);
  }

  status(payment: SimPayment): PaymentStatus {
    return this.options.clock.now() < payment.decideAt ? 'pending' : payment.outcome;
  }

  /** The day's confirmed payments of one biller, with the planted differences, in time order. */
  settlement(chargeInst: string, day: string): SettlementLine[] {
    const altered = new Map<string, bigint>();
    const dropped = new Set<string>();
    const extra: SettlementLine[] = [];
    for (const plant of this.plants) {
      if (plant.action === 'alter') altered.set(plant.paymentId, plant.amountMinor);
      else if (plant.action === 'drop') dropped.add(plant.paymentId);
      else if (plant.chargeInst === chargeInst && plant.day === day) extra.push(plant.line);
    }
    const confirmed = [...this.payments.values()]
      .filter((p) => p.chargeInst === chargeInst && this.status(p) === 'confirmed' && statementDay(p.decideAt, this.timeZone) === day)
      .map((p): SettlementLine => ({ paymentId: p.paymentId, chargeInst, billKey: p.billKey, amountMinor: p.amountMinor, confirmedAt: p.decideAt }));
    return [...confirmed, ...extra]
      .filter((l) => !dropped.has(l.paymentId))
      .map((l) => ({ ...l, amountMinor: altered.get(l.paymentId) ?? l.amountMinor }))
      .sort((a, b) => a.confirmedAt - b.confirmedAt || a.paymentId.localeCompare(b.paymentId));
  }

  /** A test's planted difference between the file and what happened. */
  plant(plant: Plant): void {
    this.plants.push(plant);
    this.changed();
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  snapshot(): SimSnapshot {
    return { randomState: this.random.state(), payments: [...this.payments.values()], plants: [...this.plants] };
  }

  restore(snapshot: SimSnapshot): void {
    this.random = seededRandom(snapshot.randomState);
    for (const p of snapshot.payments) this.payments.set(p.paymentId, p);
    this.plants.push(...snapshot.plants);
  }

  private draw(): Behaviour {
    const roll = this.random.next();
    if (roll < (this.options.refusalRate ?? 0)) return 'refuse';
    return roll < (this.options.refusalRate ?? 0) + (this.options.lateRate ?? 0) ? 'late' : 'confirm';
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface SimSnapshot {
  readonly randomState: number;
  readonly payments: SimPayment[];
  readonly plants: Plant[];
}
