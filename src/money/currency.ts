// The currencies Formica keeps books in. `ledger` is the ledger number that carries the currency:
// the ISO 4217 numeric code for real currencies, a private number for non-currency assets.
export interface Currency {
  readonly code: string;
  readonly ledger: number;
  readonly scale: number;
  readonly name: string;
}

const CURRENCIES: readonly Currency[] = [
  { code: 'CNY', ledger: 156, scale: 2, name: 'Chinese yuan' },
  { code: 'USD', ledger: 840, scale: 2, name: 'US dollar' },
  { code: 'JPY', ledger: 392, scale: 0, name: 'Japanese yen' },
  { code: 'KWD', ledger: 414, scale: 3, name: 'Kuwaiti dinar' },
  // Money-market fund shares: not money, but counted the same way (two decimals of a share).
  { code: 'FMS', ledger: 1156, scale: 2, name: 'Formica money-market fund share' },
];

const byCode = new Map(CURRENCIES.map((c) => [c.code, c]));
const byLedger = new Map(CURRENCIES.map((c) => [c.ledger, c]));

export function currencies(): readonly Currency[] {
  return CURRENCIES;
}

export function findCurrency(code: string): Currency | undefined {
  return byCode.get(code);
}

export function currencyOfLedger(ledger: number): Currency | undefined {
  return byLedger.get(ledger);
}
