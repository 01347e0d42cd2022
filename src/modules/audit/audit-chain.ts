// The hash chain: an entry's hash is SHA-256 over the previous entry's hash and the entry's own
// canonical content. The entry's number is not hashed: its place is fixed by the previous hash,
// so a reordered entry still hashes to itself but no longer follows the entry before it.
import { createHash } from 'node:crypto';

export interface AuditContent {
  /** What happened, dotted by module: `identity.login`, `wallet.adjustment`, `operator.request`. */
  readonly kind: string;
  /** Who did it: a user id, `operator`, or `system`. */
  readonly actor: string;
  /** What it was done to: a user, merchant, request or route. */
  readonly subject: string;
  readonly detail: string;
  /** Milliseconds since the epoch. */
  readonly createdAt: bigint;
}

export interface AuditEntry extends AuditContent {
  readonly seq: bigint;
  readonly prevHash: string;
  readonly hash: string;
}

/** One JSON array in a fixed field order: the same text for the same content on every store. */
export function canonicalContent(content: AuditContent): string {
  return JSON.stringify([content.kind, content.actor, content.subject, content.detail, content.createdAt.toString()]);
}

export function chainHash(prevHash: string, content: AuditContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalContent(content)).digest('hex');
}
