// What every wallet screen shares once the user is logged in: the token, the wallet and the
// profile (reloaded after anything that changes them), and logging out.
import { createContext, useContext } from 'react';
import type { Profile, Wallet } from '../types.ts';

export interface WalletSession {
  readonly token: string;
  readonly wallet: Wallet | undefined;
  readonly profile: Profile | undefined;
  /** Bumped on every refresh, so lists keyed on it reload too. */
  readonly version: number;
  readonly refresh: () => void;
  readonly logout: () => void;
}

export const SessionContext = createContext<WalletSession | null>(null);

export function useSession(): WalletSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a logged-in wallet');
  return session;
}
