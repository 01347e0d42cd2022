// The five cards and how one is drawn: each kind's weight over the total is its chance, so an
// operator makes one kind scarce by giving it a small weight. Pure: the random source is injected.
import type { RandomInts } from '../redpacket/split.ts';

export const CARD_KINDS = ['富强', '爱国', '和谐', '友善', '敬业'] as const;
export type CardKind = (typeof CARD_KINDS)[number];

/** Integer weights per kind; a kind with weight 0 is never drawn. */
export type CardOdds = Readonly<Record<CardKind, number>>;

export function validOdds(odds: CardOdds): boolean {
  const weights = CARD_KINDS.map((k) => odds[k]);
  return (
    weights.every((w) => Number.isSafeInteger(w) && w >= 0) && weights.reduce((a, b) => a + b, 0) > 0 && weights.reduce((a, b) => a + b, 0) <= 1_000_000_000
  );
}

export function drawCard(odds: CardOdds, random: RandomInts): CardKind {
  const total = CARD_KINDS.reduce((sum, k) => sum + odds[k], 0);
  let ticket = random.between(1, total);
  for (const kind of CARD_KINDS) {
    ticket -= odds[kind];
    if (ticket <= 0) return kind;
  }
  throw new Error('card odds changed while drawing');
}

/** A complete set: at least one card of every kind. */
export function isComplete(counts: Readonly<Partial<Record<CardKind, number>>>): boolean {
  return CARD_KINDS.every((k) => (counts[k] ?? 0) >= 1);
}
