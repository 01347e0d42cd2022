// The log layout's self-check, shared by both stores: every account as the log's fold leaves it,
// compared field by field with each place derived from the same log (the writer's memory, the
// materialized state). Any difference means that place is wrong, and is reported by account and field.
import type { Account } from '../../ledger/index.ts';
import type { LedgerMemory } from './ledger-memory.ts';

const FIELDS = ['ledger', 'code', 'flags', 'userData', 'debitsPending', 'debitsPosted', 'creditsPending', 'creditsPosted', 'timestamp'] as const;

/** A place that holds accounts derived from the log. */
export interface AccountView {
  readonly where: string;
  ids(): Iterable<string>;
  account(id: string): Account | undefined;
}

export function accountDifferences(folded: LedgerMemory, views: readonly AccountView[]): string[] {
  const problems: string[] = [];
  for (const id of folded.sortedIds()) {
    const expected = folded.account(id) as Account;
    for (const view of views) {
      const found = view.account(id);
      if (!found) {
        problems.push(`account ${id}: in the log, missing from ${view.where}`);
        continue;
      }
      for (const field of FIELDS) {
        if (expected[field] !== found[field])
          problems.push(`account ${id}: ${field} is ${String(expected[field])} by the log, ${String(found[field])} in ${view.where}`);
      }
    }
  }
  for (const view of views) for (const id of view.ids()) if (!folded.keyOf(id)) problems.push(`account ${id}: in ${view.where}, not in the log`);
  return problems;
}
