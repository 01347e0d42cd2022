// The cards the simulated banks hold money on: pre-provisioned, or created on first use with a
// default balance so any Luhn-valid number works in demos while debits can still run out of money.
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

export class CardBook {
  private readonly cards = new Map<string, CardRecord>();

  constructor(private readonly initial: CardBalance) {}

  /** Creates the card or resets its balance (and holder, when given). */
  provision(cardNo: string, balance: CardBalance, holder?: { name: string; idNo: string }): SimResult<CardRecord> {
    if (!passesLuhn(cardNo)) return refuse('card_invalid', 'the card number fails the Luhn check');
    const key = cardKey(cardNo);
    const card: CardRecord = { key, last4: lastFour(cardNo), currency: balance.currency, balanceMinor: balance.amountMinor };
    const previous = this.cards.get(key);
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

  /** Checks (or, on first binding, records) who holds the card. */
  claim(card: CardRecord, name: string, idNo: string): boolean {
    const holder = holderKey(name, idNo);
    if (card.holder === undefined) card.holder = holder;
    return card.holder === holder;
  }

  snapshot(): CardSnapshot[] {
    return [...this.cards.values()].map((c) => ({ ...c, balanceMinor: c.balanceMinor.toString() }));
  }

  restore(rows: readonly CardSnapshot[]): void {
    for (const row of rows) this.cards.set(row.key, { ...row, balanceMinor: BigInt(row.balanceMinor) });
  }
}
