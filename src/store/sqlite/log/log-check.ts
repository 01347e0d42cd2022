// The log layout's self-check (run by `formica verify`): every account's balances and flags are
// folded from the log's first row, and compared with the writer's memory and with the materialized
// state file. Memory and the state file are both derived from the log; any difference means one
// of them is wrong, and is reported by account and field.
import type Database from 'better-sqlite3';
import type { Account } from '../../../ledger/index.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow } from '../../rows.ts';
import { LedgerMemory } from './ledger-memory.ts';
import { LogReader } from './log-rows.ts';

/** Rows folded per read, so a long log is read in bounded steps. */
const FOLD_ROWS = 256;
const FIELDS = ['ledger', 'code', 'flags', 'userData', 'debitsPending', 'debitsPosted', 'creditsPending', 'creditsPosted', 'timestamp'] as const;

/** The accounts as the log's rows 1..`through` leave them, by id. */
export function foldLog(commit: Database.Database, through: number): LedgerMemory {
  const log = new LogReader(commit);
  const folded = new LedgerMemory();
  while (folded.seq < through) {
    for (const row of log.rows(folded.seq, through, FOLD_ROWS, (key) => folded.idOf(key))) {
      folded.apply(row.seq, row.record);
      folded.tail.dropThrough(row.seq);
    }
  }
  return folded;
}

/** Differences between the log's fold and `memory` and the state file's accounts (which must hold the same rows). */
export function checkAgainstLog(commit: Database.Database, memory: LedgerMemory, state: Database.Database): string[] {
  const folded = foldLog(commit, memory.seq);
  const stored = new Map<string, Account>();
  for (const row of state.prepare(`SELECT ${ACCOUNT_COLUMNS} FROM accounts`).iterate() as Iterable<AccountRow>) stored.set(row.id, accountFromRow(row));
  const problems: string[] = [];
  const compare = (where: string, id: string, expected: Account, found: Account | undefined) => {
    if (!found) return problems.push(`account ${id}: in the log, missing from ${where}`);
    for (const field of FIELDS) {
      if (expected[field] !== found[field])
        problems.push(`account ${id}: ${field} is ${String(expected[field])} by the log, ${String(found[field])} in ${where}`);
    }
  };
  for (const id of folded.sortedIds()) {
    const expected = folded.account(id) as Account;
    compare('the writer memory', id, expected, memory.account(id));
    compare('the state file', id, expected, stored.get(id));
  }
  for (const id of memory.sortedIds()) if (!folded.keyOf(id)) problems.push(`account ${id}: in the writer memory, not in the log`);
  for (const id of stored.keys()) if (!folded.keyOf(id)) problems.push(`account ${id}: in the state file, not in the log`);
  return problems;
}
