// A broken invariant is a programmer error: it stops the batch loudly and nothing is written.
export class LedgerInvariantError extends Error {
  constructor(message: string) {
    super(`ledger invariant broken: ${message}`);
    this.name = 'LedgerInvariantError';
  }
}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LedgerInvariantError(message);
}
