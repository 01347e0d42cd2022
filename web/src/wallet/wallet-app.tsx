// The wallet, phone first: a top bar, the current screen, and the bottom tabs. Logged out it shows
// log-in or sign-up; logged in it loads the wallet and the profile once for every screen.
import { lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { navigate, type WalletScreen } from '../router.ts';
import { USER_TOKEN, useStoredToken } from '../session.ts';
import type { Profile, Wallet } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import { useLoad } from '../use-load.ts';
import { ActivityScreen } from './activity.tsx';
import { CardMoney } from './card-money.tsx';
import { Home } from './home.tsx';
import { LifeServices } from './life-services.tsx';
import { LoginForm } from './login-form.tsx';
import { Me } from './me.tsx';
import { PayFriend } from './pay-friend.tsx';
import { PayLaterScreen } from './paylater.tsx';
import { PaycodeScreen } from './paycode.tsx';
import { ScanScreen } from './scan.tsx';
import { RedPackets } from './red-packets.tsx';
import { CampaignScreen } from './campaign.tsx';
import { SessionContext, type WalletSession } from './session-context.ts';
import { Setup } from './setup.tsx';
import { SignUp } from './sign-up.tsx';
import { TabBar } from './tab-bar.tsx';

/** The fund page is loaded when opened: most visits never show it, so the first load does without it. */
const FundScreen = lazy(() => import('./fund.tsx'));

export function WalletApp({ screen }: { screen: WalletScreen }) {
  const { t } = useI18n();
  const [token, setToken] = useStoredToken(USER_TOKEN);
  const [expired, setExpired] = useState(false);
  const login = useCallback(
    (next: string, firstTime = false) => {
      setExpired(false);
      setToken(next);
      navigate(firstTime ? 'setup' : 'home');
    },
    [setToken],
  );
  const logout = useCallback(
    (sessionEnded: boolean) => {
      // Log out on the server too, so the token is worthless from now on (best effort: the tab forgets it anyway).
      if (!sessionEnded && token) api('/v1/sessions/current', { method: 'DELETE', token }).catch(() => undefined);
      setExpired(sessionEnded);
      setToken(null);
      navigate('home');
    },
    [setToken, token],
  );
  let body: ReactNode;
  if (token) body = <LoggedIn token={token} screen={screen} onLogout={logout} />;
  else
    body = (
      <main id="main" className="screen">
        {screen === 'signup' ? <SignUp onSignedUp={(next) => login(next, true)} /> : <LoginForm onLogin={login} expired={expired} />}
      </main>
    );
  return (
    <div className="app">
      <a className="skip" href="#main">
        {t('skip.main')}
      </a>
      <header className="appbar">
        <span className="brand">{t('app.title')}</span>
        <LanguageSwitch />
      </header>
      {body}
    </div>
  );
}

function LoggedIn({ token, screen, onLogout }: { token: string; screen: WalletScreen; onLogout: (sessionEnded: boolean) => void }) {
  const [version, setVersion] = useState(0);
  const refresh = useCallback(() => setVersion((v) => v + 1), []);
  const wallet = useLoad(`wallet#${version}`, () => api<Wallet>('/v1/wallet', { token }));
  const profile = useLoad(`me#${version}`, () => api<Profile>('/v1/me', { token }));
  const unauthorized = wallet.error?.status === 401 || profile.error?.status === 401;
  useEffect(() => {
    if (unauthorized) onLogout(true);
  }, [unauthorized, onLogout]);
  const session = useMemo<WalletSession>(
    () => ({ token, wallet: wallet.data, profile: profile.data, version, refresh, logout: () => onLogout(false) }),
    [token, wallet.data, profile.data, version, refresh, onLogout],
  );
  return (
    <SessionContext.Provider value={session}>
      <main id="main" className="screen">
        <ErrorMessage error={wallet.error ?? profile.error} />
        <CurrentScreen screen={screen} />
      </main>
      <TabBar screen={screen} />
    </SessionContext.Provider>
  );
}

function CurrentScreen({ screen }: { screen: WalletScreen }) {
  switch (screen) {
    case 'paycode':
      return <PaycodeScreen />;
    case 'scan':
      return <ScanScreen />;
    case 'pay':
      return <PayFriend />;
    case 'topup':
    case 'withdraw':
      return <CardMoney direction={screen} />;
    case 'bills':
      return <LifeServices />;
    case 'fund':
      return (
        <Suspense fallback={<Loading />}>
          <FundScreen />
        </Suspense>
      );
    case 'redpackets':
      return <RedPackets />;
    case 'campaign':
      return <CampaignScreen />;
    case 'paylater':
      return <PayLaterScreen />;
    case 'activity':
      return <ActivityScreen />;
    case 'me':
      return <Me />;
    case 'setup':
      return <Setup />;
    default:
      return <Home />;
  }
}

function Loading() {
  const { t } = useI18n();
  return <p className="muted">{t('common.loading')}</p>;
}
