// The embedded log layout's self-check (run by `formica verify`): the log folded from its first
// row, compared with the writer's memory and the materialized state file (log/log-check.ts).
import type Database from 'better-sqlite3';
import type { Account } from '../../../ledger/index.ts';
import { ACCOUNT_COLUMNS, type AccountRow, accountFromRow } from '../../rows.ts';
import { accountDifferences } from '../../log/log-check.ts';
import { LedgerMemory } from '../../log/ledger-memory.ts';
import { IdFilter } from '../../log/id-filter.ts';
import { LogReader } from './log-rows.ts';

/** Rows folded per read, so a long log is read in bounded steps. */
const FOLD_ROWS = 256;

/** The accounts as the log's rows 1..`through` leave them, by id. */
export function foldLog(commit: Database.Database, through: number): LedgerMemory {
  const log = new LogReader(commit);
  const folded = new LedgerMemory(IdFilter.none());
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
  return accountDifferences(folded, [
    { where: 'the writer memory', ids: () => memory.sortedIds(), account: (id) => memory.account(id) },
    { where: 'the state file', ids: () => stored.keys(), account: (id) => stored.get(id) },
  ]);
}
