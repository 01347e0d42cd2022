// The cards the simulated banks hold money on: pre-provisioned, or created on first use with a
// default balance so any Luhn-valid number works in demos while debits can still run out of money.
// Who may hold a card is the banks' customer register (name and id number, kept as a hash): a
// binding names its holder, and only a customer, and the card's own holder once it has one, passes.
import { cardKey, holderKey, lastFour, passesLuhn } from './card-number.ts';
import { ok, refuse, type SimResult } from './sim-types.ts';

export interface CardRecord {
  readonly key: string;
  readonly last4: string;
  readonly currency: string;
  balanceMinor: bigint;
  /** Set when provisioned with a holder or on the first binding; later bindings must match it. */
  holder?: string;
}

export interface CardBalance {
  readonly amountMinor: bigint;
  readonly currency: string;
}

export interface CardSnapshot {
  readonly key: string;
  readonly last4: string;
  readonly currency: string;
  readonly balanceMinor: string;
  readonly holder?: string;
}

/** The customers the banks know from the start: the demo users, and the person the channel tests bind as. */
export const DEFAULT_CUSTOMERS: readonly { readonly name: string; readonly idNo: string }[] = [
  { name: 'Alice Chen', idNo: '110101199001010011' },
  { name: 'Bob Wang', idNo: '110101199202020022' },
  { name: 'Carol Li', idNo: '110101199303030033' },
  { name: 'Li Lei', idNo: '110101199001011234' },
];

export class CardBook {
  private readonly cards = new Map<string, CardRecord>();
  /** holderKey of every customer. */
  private readonly customers = new Set<string>();

  constructor(
    private readonly initial: CardBalance,
    customers: readonly { name: string; idNo: string }[] = DEFAULT_CUSTOMERS,
  ) {
    for (const c of customers) this.enroll(c.name, c.idNo);
  }

  /** A customer the banks checked in person (opening an account at the counter). */
  enroll(name: string, idNo: string): void {
    this.customers.add(holderKey(name, idNo));
  }

  /** Creates the card or resets its balance (and holder, when given). */
  provision(cardNo: string, balance: CardBalance, holder?: { name: string; idNo: string }): SimResult<CardRecord> {
    if (!passesLuhn(cardNo)) return refuse('card_invalid', 'the card number fails the Luhn check');
    const key = cardKey(cardNo);
    const card: CardRecord = { key, last4: lastFour(cardNo), currency: balance.currency, balanceMinor: balance.amountMinor };
    const previous = this.cards.get(key);
    if (holder) this.enroll(holder.name, holder.idNo);
    card.holder = holder ? holderKey(holder.name, holder.idNo) : previous?.holder;
    this.cards.set(key, card);
    return ok(card);
  }

  /** The card behind a number, created with the default balance when first seen. */
  open(cardNo: string): SimResult<CardRecord> {
    if (!passesLuhn(cardNo)) return refuse('card_invalid', 'the card number fails the Luhn check');
    const existing = this.cards.get(cardKey(cardNo));
    return existing ? ok(existing) : this.provision(cardNo, this.initial);
  }

  find(cardNo: string): CardRecord | undefined {
    return passesLuhn(cardNo) ? this.cards.get(cardKey(cardNo)) : undefined;
  }

  byKey(key: string): CardRecord | undefined {
    return this.cards.get(key);
  }

  /** Checks the named holder: a customer, and the card's holder (recorded on the card's first binding). */
  claim(card: CardRecord, name: string, idNo: string): boolean {
    const holder = holderKey(name, idNo);
    if (!this.customers.has(holder)) return false;
    card.holder ??= holder;
    return card.holder === holder;
  }

  snapshot(): CardSnapshot[] {
    return [...this.cards.values()].map((c) => ({ ...c, balanceMinor: c.balanceMinor.toString() }));
  }

  customerSnapshot(): string[] {
    return [...this.customers];
  }

  restore(rows: readonly CardSnapshot[], customers: readonly string[] = []): void {
    for (const row of rows) this.cards.set(row.key, { ...row, balanceMinor: BigInt(row.balanceMinor) });
    for (const key of customers) this.customers.add(key);
  }
}
