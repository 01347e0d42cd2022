// Deterministic pseudo-random numbers for the bank simulator: the same seed replays the same run,
// so tests about failure and late-answer rates are exact rather than statistical.

/** A stream of numbers in [0, 1) whose whole state is one 32-bit integer (so it can be persisted). */
export interface RandomSource {
  next(): number;
  state(): number;
}

/** mulberry32: tiny, fast and good enough for simulation (not for secrets). */
export function seededRandom(initialState: number): RandomSource {
  let s = initialState >>> 0;
  return {
    next() {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    state: () => s,
  };
}

/** Derives an independent stream seed per bank and purpose, so one bank's traffic never shifts another's. */
export function seedFor(seed: number, ...parts: string[]): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const ch of parts.join('\u0000')) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function randomDigits(random: RandomSource, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random.next() * 10).toString();
  return out;
}

export function randomHex(random: RandomSource, count: number): string {
  let out = '';
  for (let i = 0; i < count; i++) out += Math.floor(random.next() * 16).toString(16);
  return out;
}
