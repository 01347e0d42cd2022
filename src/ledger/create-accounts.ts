// create_accounts: validate, detect replays, insert. Checks run in TigerBeetle's order.
import { applyChained } from './chains.ts';
import { AccountFlag, has } from './flags.ts';
import type { AccountResult } from './results.ts';
import type { Account, AccountEvent } from './types.ts';
import type { WorkingSet } from './working-set.ts';

export function createAccounts(work: WorkingSet, events: readonly AccountEvent[], nowNs: bigint): AccountResult[] {
  return applyChained(work, events, (event) => createAccount(work, event, nowNs));
}

function createAccount(work: WorkingSet, a: AccountEvent, nowNs: bigint): AccountResult {
  const existing = work.account(a.id);
  if (existing) return compareExisting(a, existing);
  if (has(a.flags, AccountFlag.debits_must_not_exceed_credits) && has(a.flags, AccountFlag.credits_must_not_exceed_debits)) {
    return 'flags_are_mutually_exclusive';
  }
  if (a.ledger === 0) return 'ledger_must_not_be_zero';
  if (a.code === 0) return 'code_must_not_be_zero';
  const account: Account = {
    id: a.id,
    ledger: a.ledger,
    code: a.code,
    flags: a.flags,
    userData: a.userData,
    debitsPending: 0n,
    debitsPosted: 0n,
    creditsPending: 0n,
    creditsPosted: 0n,
    timestamp: work.nextTimestamp(nowNs),
  };
  work.addAccount(account);
  return 'ok';
}

/** A replay reports its first difference in this order: flags, user_data, ledger, code. */
function compareExisting(a: AccountEvent, e: Account): AccountResult {
  if (a.flags !== e.flags) return 'exists_with_different_flags';
  if (a.userData !== e.userData) return 'exists_with_different_user_data';
  if (a.ledger !== e.ledger) return 'exists_with_different_ledger';
  if (a.code !== e.code) return 'exists_with_different_code';
  return 'exists';
}
