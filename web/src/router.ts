// Client-side screens under /app/: the wallet's (home is /app/ itself) and the operator's pages.
import { useSyncExternalStore } from 'react';

export const WALLET_SCREENS = [
  'home',
  'paycode',
  'scan',
  'pay',
  'topup',
  'withdraw',
  'bills',
  'fund',
  'redpackets',
  'campaign',
  'paylater',
  'activity',
  'me',
  'setup',
  'signup',
] as const;
export const OPERATOR_SCREENS = ['merchants', 'dashboard', 'shop', 'loans'] as const;
export type WalletScreen = (typeof WALLET_SCREENS)[number];
export type OperatorScreen = (typeof OPERATOR_SCREENS)[number];
export type Screen = WalletScreen | OperatorScreen;
const SCREENS: readonly string[] = [...WALLET_SCREENS, ...OPERATOR_SCREENS];
const BASE = '/app/';

export function screenOf(pathname: string): Screen {
  const first = pathname.startsWith(BASE) ? pathname.slice(BASE.length).split('/')[0] : '';
  return SCREENS.includes(first) ? (first as Screen) : 'home';
}

export function isOperatorScreen(screen: Screen): screen is OperatorScreen {
  return (OPERATOR_SCREENS as readonly string[]).includes(screen);
}

export function hrefOf(screen: Screen): string {
  return screen === 'home' ? BASE : `${BASE}${screen}`;
}

export function navigate(screen: Screen): void {
  window.history.pushState(null, '', hrefOf(screen));
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  return () => window.removeEventListener('popstate', onChange);
}

export function useScreen(): Screen {
  return screenOf(useSyncExternalStore(subscribe, () => window.location.pathname));
}
