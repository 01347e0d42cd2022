// The user's cards (GET /v1/cards), reloaded with the session's refreshes, and how a card is named.
import { api } from '../api.ts';
import type { Card } from '../types.ts';
import { type Loaded, useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

export function useCards(): Loaded<{ cards: Card[] }> {
  const { token, version } = useSession();
  return useLoad(`cards#${version}`, () => api<{ cards: Card[] }>('/v1/cards', { token }));
}

/** The user's bound cards (a card still being bound or unbound cannot take money). */
export function boundCards(loaded: Loaded<{ cards: Card[] }>): Card[] {
  return (loaded.data?.cards ?? []).filter((c) => c.status === 'bound');
}

/** "ICBC •••• 0019": the bank and the card's last digits. */
export function cardLabel(card: Card): string {
  return `${card.bank} •••• ${card.last4 ?? '----'}`;
}
