// The platform audit log: operator actions, verification verdicts, wallet adjustments, logins and
// merchant key rotations, append-only, each entry chained to the one before by its hash. A module
// appends on the transaction of the write it records, so the entry commits with it or not at all.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase, SqlExecutor } from '../../store/sql.ts';
import { type AuditContent, type AuditEntry, chainHash } from './audit-chain.ts';
import { AUDIT_MIGRATIONS } from './audit-schema.ts';

export type AuditInput = Omit<AuditContent, 'createdAt'>;

export interface AuditPage {
  readonly entries: AuditEntry[];
  /** Pass as `after` for the next page; null at the end. */
  readonly next: bigint | null;
}

export interface AuditRow extends Record<string, unknown> {
  seq: bigint;
  kind: string;
  actor: string;
  subject: string;
  detail: string;
  created_at: bigint;
  prev_hash: string;
  hash: string;
}

export class AuditLog {
  private constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  static async open(db: SqlDatabase, clock: Clock): Promise<AuditLog> {
    await db.migrate('audit', AUDIT_MIGRATIONS);
    return new AuditLog(db, clock);
  }

  /**
   * Appends on `tx`, the caller's open transaction. On PostgreSQL the head row is locked until that
   * transaction ends, so concurrent appenders take turns; on SQLite the one writer already does.
   */
  async append(tx: SqlExecutor, input: AuditInput): Promise<AuditEntry> {
    const head = await lockHead(tx);
    const content: AuditContent = { ...input, createdAt: BigInt(this.clock.now()) };
    const entry: AuditEntry = { ...content, seq: head.seq + 1n, prevHash: head.hash, hash: chainHash(head.hash, content) };
    await tx.run('INSERT INTO audit_log (seq, kind, actor, subject, detail, created_at, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      entry.seq,
      entry.kind,
      entry.actor,
      entry.subject,
      entry.detail,
      entry.createdAt,
      entry.prevHash,
      entry.hash,
    ]);
    await tx.run('UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1', [entry.seq, entry.hash]);
    return entry;
  }

  /** Appends in a transaction of its own (for actions that are not a module write). */
  record(input: AuditInput): Promise<AuditEntry> {
    return this.db.transaction((tx) => this.append(tx, input));
  }

  /**
   * Appends unless the last entry of the same kind already says `detail`: a state noted at every
   * start (the data keys in use) enters the log once per change. Checked under the head lock, so
   * processes starting together note it once.
   */
  noteChange(input: AuditInput): Promise<AuditEntry | null> {
    return this.db.transaction(async (tx) => {
      await lockHead(tx);
      const last = await tx.get<{ detail: string }>('SELECT detail FROM audit_log WHERE kind = ? ORDER BY seq DESC LIMIT 1', [input.kind]);
      return last?.detail === input.detail ? null : this.append(tx, input);
    });
  }

  /** Entries after `after` (a sequence number), oldest first. */
  async page(after: bigint, limit: number): Promise<AuditPage> {
    const rows = await this.db.all<AuditRow>('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?', [after, limit + 1]);
    const entries = rows.slice(0, limit).map(toEntry);
    return { entries, next: rows.length > limit ? entries[entries.length - 1].seq : null };
  }

  head(): Promise<{ seq: bigint; hash: string } | undefined> {
    return this.db.get<{ seq: bigint; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
  }

  async count(): Promise<bigint> {
    const row = await this.db.get<{ n: bigint | number }>('SELECT COUNT(*) AS n FROM audit_log');
    return BigInt(row?.n ?? 0);
  }
}

/** The head row, locked until `tx` ends on PostgreSQL (SQLite's one writer needs no lock). */
async function lockHead(tx: SqlExecutor): Promise<{ seq: bigint; hash: string }> {
  const lock = tx.dialect === 'postgres' ? ' FOR UPDATE' : '';
  const head = await tx.get<{ seq: bigint; hash: string }>(`SELECT seq, hash FROM audit_head WHERE id = 1${lock}`);
  if (!head) throw new Error('the audit log has no head row');
  return head;
}

export function toEntry(r: AuditRow): AuditEntry {
  return {
    seq: BigInt(r.seq),
    kind: r.kind,
    actor: r.actor,
    subject: r.subject,
    detail: r.detail,
    createdAt: BigInt(r.created_at),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
