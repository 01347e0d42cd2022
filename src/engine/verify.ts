// `formica verify`: streams the whole store through the auditor, in batches, with progress.
import { type AuditReport, Auditor } from '../ledger/audit.ts';
import type { LedgerStore } from '../store/store.ts';

const SCAN_BATCH = 10_000;

export type VerifyProgress = (phase: 'accounts' | 'pending' | 'transfers', done: number, total: number) => void;

export async function verifyStore(store: LedgerStore, progress: VerifyProgress = () => {}): Promise<AuditReport> {
  const auditor = new Auditor();
  const totals = await store.counts();
  let done = 0;
  for await (const accounts of store.scanAccounts(SCAN_BATCH)) {
    auditor.addAccounts(accounts);
    done += accounts.length;
    progress('accounts', done, Number(totals.accounts));
  }
  done = 0;
  for await (const states of store.scanPendingStates(SCAN_BATCH)) {
    auditor.addPendingStates(states);
    done += states.length;
    progress('pending', done, done);
  }
  done = 0;
  for await (const transfers of store.scanTransfers(SCAN_BATCH)) {
    auditor.addTransfers(transfers);
    done += transfers.length;
    progress('transfers', done, Number(totals.transfers));
  }
  const report = auditor.report();
  return { ...report, problems: [...report.problems, ...((await store.selfCheck?.()) ?? [])] };
}
