// The user's cards (GET /v1/cards), reloaded with the session's refreshes.
import { api } from '../api.ts';
import type { Card } from '../types.ts';
import { type Loaded, useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

export function useCards(): Loaded<{ cards: Card[] }> {
  const { token, version } = useSession();
  return useLoad(`cards#${version}`, () => api<{ cards: Card[] }>('/v1/cards', { token }));
}
