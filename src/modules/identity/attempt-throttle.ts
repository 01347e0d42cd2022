// Attempt limits kept in the database, so every process sharing it sees the same counts: each
// attempt on a key (a phone, a client address) is counted before the secret is checked, so a burst
// of concurrent guesses cannot all slip in while the first is being verified. Past `free` attempts
// the key waits a delay that doubles with each further attempt, up to `maxDelayMs`; a key with no
// attempt for `forgetAfterMs` starts again from zero. Time is the injected clock.
import type { Clock } from '../../engine/clock.ts';
import type { SqlDatabase } from '../../store/sql.ts';
import { IdentityError } from './identity-errors.ts';

export interface ThrottlePolicy {
  /** Attempts allowed without any wait. */
  readonly free: number;
  /** The wait after the first attempt past `free`; each further one doubles it. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  readonly forgetAfterMs: number;
}

export const THROTTLE_TABLE = `CREATE TABLE identity_throttle (
  key TEXT PRIMARY KEY, attempts BIGINT NOT NULL, blocked_until BIGINT NOT NULL, updated_at BIGINT NOT NULL)`;

/** The refusal: HTTP 429 with `Retry-After` (seconds) from the `retry_after` field. */
export function tooManyAttempts(retryAfterMs: number): IdentityError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new IdentityError('too_many_attempts', `too many attempts; try again in ${seconds} s`, { retry_after: String(seconds) });
}

/** The wait after the `attempts`-th attempt: none before `free`, then doubling up to the cap. */
export function delayAfter(policy: ThrottlePolicy, attempts: number): number {
  if (attempts < policy.free) return 0;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(attempts - policy.free, 30));
}

/** delayAfter as SQL over an expression for the count (SQLite has no pow()). */
function delaySql(policy: ThrottlePolicy, attempts: string): string {
  const steps: string[] = [];
  for (let n = policy.free; delayAfter(policy, n) < policy.maxDelayMs; n += 1) steps.push(`WHEN ${attempts} = ${n} THEN ${delayAfter(policy, n)}`);
  return `CASE WHEN ${attempts} < ${policy.free} THEN 0 ${steps.join(' ')} ELSE ${policy.maxDelayMs} END`;
}

export class AttemptThrottle {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  /** Counts one attempt on `key`, or refuses it (429) while the key must wait. */
  async admit(key: string, policy: ThrottlePolicy): Promise<void> {
    // Numbers are written into the statement (they are ours, not input) so PostgreSQL types them bigint.
    const now = this.clock.now();
    const count = `(CASE WHEN identity_throttle.updated_at < ${now - policy.forgetAfterMs} THEN 1 ELSE identity_throttle.attempts + 1 END)`;
    const { changes } = await this.db.run(
      `INSERT INTO identity_throttle (key, attempts, blocked_until, updated_at) VALUES (?, 1, ${now + delayAfter(policy, 1)}, ${now})
       ON CONFLICT (key) DO UPDATE SET attempts = ${count}, blocked_until = ${now} + ${delaySql(policy, count)}, updated_at = ${now}
       WHERE identity_throttle.blocked_until <= ${now}`,
      [key],
    );
    if (changes === 0) throw tooManyAttempts(await this.waitMs(key));
  }

  /** Refuses (429) while `key` must wait, without counting an attempt. */
  async check(key: string): Promise<void> {
    const wait = await this.waitMs(key);
    if (wait > 0) throw tooManyAttempts(wait);
  }

  /** The attempt turned out right: it no longer counts, and the key's wait is lifted. */
  async forget(key: string): Promise<void> {
    await this.db.run('DELETE FROM identity_throttle WHERE key = ?', [key]);
  }

  /** The attempt turned out right but the key is shared (an address): only this attempt is taken back. */
  async refund(key: string): Promise<void> {
    await this.db.run('UPDATE identity_throttle SET attempts = attempts - 1 WHERE key = ? AND attempts > 0', [key]);
  }

  private async waitMs(key: string): Promise<number> {
    const row = await this.db.get<{ blocked_until: bigint }>('SELECT blocked_until FROM identity_throttle WHERE key = ?', [key]);
    return row ? Math.max(0, Number(row.blocked_until) - this.clock.now()) : 0;
  }
}
