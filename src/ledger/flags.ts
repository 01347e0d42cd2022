// Flags travel by name over the API and as bits inside the ledger and its stores.
export const AccountFlag = {
  linked: 1,
  debits_must_not_exceed_credits: 2,
  credits_must_not_exceed_debits: 4,
  history: 8,
  closed: 16,
} as const;

export const TransferFlag = {
  linked: 1,
  pending: 2,
  post_pending_transfer: 4,
  void_pending_transfer: 8,
  balancing_debit: 16,
  balancing_credit: 32,
  closing_debit: 64,
  closing_credit: 128,
} as const;

export type AccountFlagName = keyof typeof AccountFlag;
export type TransferFlagName = keyof typeof TransferFlag;

type FlagTable = Readonly<Record<string, number>>;

/** Bits for a list of names; undefined names an unknown flag (the caller reports it). */
export function flagsToBits(table: FlagTable, names: readonly string[]): number | { unknown: string } {
  let bits = 0;
  for (const name of names) {
    const bit = Object.hasOwn(table, name) ? table[name] : undefined;
    if (bit === undefined) return { unknown: name };
    bits |= bit;
  }
  return bits;
}

export function bitsToFlags(table: FlagTable, bits: number): string[] {
  return Object.entries(table)
    .filter(([, bit]) => (bits & bit) !== 0)
    .map(([name]) => name);
}

export function has(bits: number, flag: number): boolean {
  return (bits & flag) !== 0;
}
