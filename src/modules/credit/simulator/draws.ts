// Seeded draws for the portfolio simulator: uniform from mulberry32, normal by Box-Muller.
import { type RandomSource, seededRandom, seedFor } from '../../../../sim/bank/random.ts';

export interface Draws {
  uniform(): number;
  normal(): number;
}

export function draws(seed: number, ...stream: string[]): Draws {
  const random: RandomSource = seededRandom(seedFor(seed, ...stream));
  return {
    uniform: () => random.next(),
    normal: () => {
      const u = 1 - random.next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
    },
  };
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
