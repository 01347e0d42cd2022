// Version 3 nonces are accepted once: the store remembers each (app, nonce) until its timestamp
// can no longer pass the window check, after which the timestamp alone refuses a replay.

export interface NonceStore {
  /** True the first time (appId, nonce) is seen; false on a replay. Remember it until expiresAtMs. */
  claim(appId: string, nonce: string, expiresAtMs: number, nowMs: number): Promise<boolean>;
}

/** A single-process store, bounded: expired entries are dropped and the size is capped. */
export class MemoryNonceStore implements NonceStore {
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxEntries = 100_000) {}

  async claim(appId: string, nonce: string, expiresAtMs: number, nowMs: number): Promise<boolean> {
    const key = `${appId}\u0000${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > nowMs) return false;
    this.prune(nowMs);
    // Refusing when full is safer than forgetting live nonces, which would reopen replays.
    if (this.seen.size >= this.maxEntries) return false;
    this.seen.set(key, expiresAtMs);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  // Entries arrive in about the order they expire, so dropping from the oldest end and stopping at
  // the first live one keeps each claim cheap; a stray late entry only waits for the next pass.
  private prune(nowMs: number): void {
    for (const [key, until] of this.seen) {
      if (until > nowMs) return;
      this.seen.delete(key);
    }
  }
}
