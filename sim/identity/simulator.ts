// The identity simulator's state without HTTP: the authority's register and checks, and the
// carrier's SMS gateway (messages kept per phone so tests and demos can read a code back).
import type { Clock } from '../../src/engine/clock.ts';
import { type Person, PeopleRegister, type Verdict } from './register.ts';

export interface IdentitySimOptions {
  readonly clock: Clock;
  /** Seeds the face checks of people without a fixed outcome; default 1. */
  readonly seed?: number;
  /** Share of such photos that match; default 0.9. */
  readonly faceMatchRate?: number;
  /** The register's people; default DEMO_PEOPLE. */
  readonly people?: readonly Person[];
}

/** The people of the demo data, known to the authority from the start. */
export const DEMO_PEOPLE: readonly Person[] = [
  { idNo: '110101199001010011', name: 'Alice Chen', documentValidUntil: '2036-01-01', face: 'match' },
  { idNo: '110101199202020022', name: 'Bob Wang', documentValidUntil: '2036-02-02', face: 'match' },
  { idNo: '110101199303030033', name: 'Carol Li', documentValidUntil: '2036-03-03', face: 'match' },
];

export interface CheckRequest {
  readonly idNo: string;
  readonly name: string;
  /** Asks for the document check too. */
  readonly documentValidUntil?: string;
  /** Asks for the face check too. */
  readonly photo?: string;
}

export interface CheckAnswer {
  readonly checkId: string;
  readonly identity: Verdict;
  readonly document?: Verdict;
  readonly face?: Verdict;
}

export interface SmsMessage {
  readonly phone: string;
  readonly text: string;
  readonly sentAt: number;
}

const SMS_KEPT_PER_PHONE = 10;
const PHONES_KEPT = 10_000;

export interface IdentitySimSnapshot {
  readonly people: Person[];
  readonly checks: number;
  readonly sms: SmsMessage[];
}

export class IdentitySimulator {
  readonly register: PeopleRegister;
  private readonly clock: Clock;
  private checks = 0;
  private readonly sms = new Map<string, SmsMessage[]>();
  private readonly listeners = new Set<() => void>();

  constructor(options: IdentitySimOptions) {
    this.clock = options.clock;
    this.register = new PeopleRegister(options.seed ?? 1, options.faceMatchRate ?? 0.9);
    for (const person of options.people ?? DEMO_PEOPLE) this.register.enroll(person);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  enroll(person: Person): void {
    this.register.enroll(person);
    this.changed();
  }

  check(request: CheckRequest): CheckAnswer {
    this.checks += 1;
    const checkId = `chk_${this.checks.toString().padStart(10, '0')}`;
    const today = new Date(this.clock.now()).toISOString().slice(0, 10);
    const { idNo, name } = request;
    const answer: CheckAnswer = {
      checkId,
      identity: this.register.identity(idNo, name),
      ...(request.documentValidUntil !== undefined ? { document: this.register.document(idNo, name, request.documentValidUntil, today) } : {}),
      ...(request.photo !== undefined ? { face: this.register.face(idNo, name, request.photo) } : {}),
    };
    this.changed();
    return answer;
  }

  sendSms(phone: string, text: string): void {
    const list = this.sms.get(phone) ?? [];
    list.push({ phone, text, sentAt: this.clock.now() });
    if (list.length > SMS_KEPT_PER_PHONE) list.shift();
    // Re-insert so the map's order is least recently messaged first, then trim the oldest phones.
    this.sms.delete(phone);
    this.sms.set(phone, list);
    if (this.sms.size > PHONES_KEPT) this.sms.delete(this.sms.keys().next().value!);
    this.changed();
  }

  /** The latest messages sent to a phone, newest first. */
  smsFor(phone: string): readonly SmsMessage[] {
    return [...(this.sms.get(phone) ?? [])].reverse();
  }

  snapshot(): IdentitySimSnapshot {
    return { people: this.register.snapshot(), checks: this.checks, sms: [...this.sms.values()].flat() };
  }

  restore(snapshot: IdentitySimSnapshot): void {
    this.register.restore(snapshot.people);
    this.checks = snapshot.checks;
    for (const message of snapshot.sms) this.sms.set(message.phone, [...(this.sms.get(message.phone) ?? []), message]);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
