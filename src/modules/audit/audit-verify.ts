// `formica audit verify`: walks the chain from the first entry and names the first one that was
// edited (its content no longer hashes to its hash), removed (a number is missing, the head names
// entries that are gone, or the head kept outside the database is past the chain's end) or
// reordered (it no longer follows the entry before it).
import { type AuditEntry, chainHash } from './audit-chain.ts';
import type { AuditLog } from './audit-log.ts';
import { GENESIS_HASH } from './audit-schema.ts';
import type { KeptHead } from './audit-witness.ts';

const VERIFY_BATCH = 1_000;

export interface AuditVerdict {
  readonly entries: number;
  /** The first break in the chain, or null when it is intact. */
  readonly problem: { readonly seq: bigint; readonly message: string } | null;
}

export type AuditProgress = (done: number, total: number) => void;

export async function verifyAuditLog(log: AuditLog, progress: AuditProgress = () => {}, kept?: KeptHead): Promise<AuditVerdict> {
  const total = Number(await log.count());
  let last = { seq: 0n, hash: GENESIS_HASH };
  let done = 0;
  for (let after: bigint | null = 0n; after !== null; ) {
    const page = await log.page(after, VERIFY_BATCH);
    for (const entry of page.entries) {
      const problem = checkLink(entry, last) ?? checkKept(entry, kept);
      if (problem) return { entries: done, problem: { seq: problem.seq, message: problem.message } };
      last = { seq: entry.seq, hash: entry.hash };
      done += 1;
    }
    progress(done, total);
    after = page.next;
  }
  const head = await log.head();
  if (head && (head.seq !== last.seq || head.hash !== last.hash)) {
    const gone = last.seq + 1n;
    return {
      entries: done,
      problem: { seq: gone, message: `entry ${gone} was removed: the chain ends at entry ${last.seq} but its head is entry ${head.seq}` },
    };
  }
  if (kept && kept.seq > last.seq) {
    const gone = last.seq + 1n;
    const message = `entries ${gone} to ${kept.seq} were removed: the chain ends at entry ${last.seq} but the head kept outside the database is entry ${kept.seq}`;
    return { entries: done, problem: { seq: gone, message } };
  }
  return { entries: done, problem: null };
}

function checkKept(entry: AuditEntry, kept: KeptHead | undefined): { seq: bigint; message: string } | null {
  if (!kept || entry.seq !== kept.seq || entry.hash === kept.hash) return null;
  return { seq: entry.seq, message: `entry ${entry.seq} (${entry.kind}) was replaced: it is not the entry of the head kept outside the database` };
}

function checkLink(entry: AuditEntry, previous: { seq: bigint; hash: string }): { seq: bigint; message: string } | null {
  const expected = previous.seq + 1n;
  if (entry.seq !== expected)
    return { seq: expected, message: `entry ${expected} was removed: entry ${entry.seq} (${entry.kind}) follows entry ${previous.seq}` };
  if (chainHash(entry.prevHash, entry) !== entry.hash)
    return { seq: entry.seq, message: `entry ${entry.seq} (${entry.kind}) was edited: its content no longer matches its hash` };
  if (entry.prevHash !== previous.hash) {
    return { seq: entry.seq, message: `entry ${entry.seq} (${entry.kind}) was reordered or replaced: it does not follow entry ${previous.seq}` };
  }
  return null;
}
