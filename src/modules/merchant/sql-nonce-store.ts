// Version 3 replay protection in the database: (app_id, nonce) is unique, so of two processes
// that see the same nonce only one insert succeeds. Expired rows are pruned now and then.
import type { SqlDatabase } from '../../store/sql.ts';
import type { NonceStore } from './protocol/nonce-store.ts';

/** Pruning on every claim would add a DELETE to each request; once per interval is plenty. */
const PRUNE_INTERVAL_MS = 60_000;

export class SqlNonceStore implements NonceStore {
  private lastPruneMs = 0;

  constructor(private readonly db: SqlDatabase) {}

  /** One write (one commit shared with other callers): reclaim an expired row, or insert. */
  async claim(appId: string, nonce: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    await this.maybePrune(nowMs);
    return this.db.transaction(async (tx) => {
      // A stale row may still sit there between prunes: reclaim it only if it has expired.
      const reclaimed = await tx.run('UPDATE merchant_nonces SET expires_at = ? WHERE app_id = ? AND nonce = ? AND expires_at <= ?', [
        expiresAtMs,
        appId,
        nonce,
        nowMs,
      ]);
      if (reclaimed.changes > 0) return true;
      const inserted = await tx.run('INSERT INTO merchant_nonces (app_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (app_id, nonce) DO NOTHING', [
        appId,
        nonce,
        expiresAtMs,
      ]);
      return inserted.changes > 0;
    });
  }

  /** Deletes nonces whose timestamps can no longer pass the window; returns how many. */
  async prune(nowMs: number): Promise<number> {
    this.lastPruneMs = nowMs;
    // A read first: housekeeping with nothing to delete costs no write (and no commit).
    if (!(await this.db.get('SELECT 1 AS one FROM merchant_nonces WHERE expires_at <= ? LIMIT 1', [nowMs]))) return 0;
    return (await this.db.run('DELETE FROM merchant_nonces WHERE expires_at <= ?', [nowMs])).changes;
  }

  private async maybePrune(nowMs: number): Promise<void> {
    if (nowMs - this.lastPruneMs >= PRUNE_INTERVAL_MS) await this.prune(nowMs);
  }
}
