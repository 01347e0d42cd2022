// The audit log's head kept outside the database: a file beside the data (`audit-head`, 0600)
// holding the newest committed head Formica has seen, as "<seq> <hash>". The chain shows that no
// entry was edited, removed or reordered up to its end; the kept head shows that the end itself
// was not cut off, which the database alone cannot (whoever deletes the newest rows can move its
// head row back too). Formica writes it every few seconds and when it closes; an operator may also
// keep the head printed by `formica audit head` elsewhere and hand it to `formica audit verify`.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from './audit-log.ts';

export const AUDIT_HEAD_FILE = 'audit-head';

export interface KeptHead {
  readonly seq: bigint;
  readonly hash: string;
}

/** "<seq> <hash>" or "<seq>:<hash>" (as `formica audit head` prints it). */
export function parseKeptHead(text: string): KeptHead {
  const match = /^\s*(\d+)[\s:]+([0-9a-f]{64})\s*$/.exec(text);
  if (!match) throw new Error(`'${text.trim()}' is not an audit head (<seq>:<sha-256 hex>)`);
  return { seq: BigInt(match[1]), hash: match[2] };
}

export function readKeptHead(dataDir: string): KeptHead | undefined {
  const file = join(dataDir, AUDIT_HEAD_FILE);
  return existsSync(file) ? parseKeptHead(readFileSync(file, 'utf8')) : undefined;
}

/** Writes the database's committed head to the file when it is newer than the one kept (never older). */
export async function keepHead(log: AuditLog, dataDir: string): Promise<void> {
  const head = await log.head();
  if (!head || BigInt(head.seq) === 0n) return;
  const kept = readKeptHead(dataDir);
  if (kept && kept.seq >= BigInt(head.seq)) return;
  const file = join(dataDir, AUDIT_HEAD_FILE);
  writeFileSync(`${file}.tmp`, `${head.seq} ${head.hash}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
