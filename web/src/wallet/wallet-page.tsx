// The wallet: log in, then the balance and limits, paying a friend, the statement, cards and trades.
import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { USER_TOKEN, useStoredToken } from '../session.ts';
import type { Wallet } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useLoad } from '../use-load.ts';
import { Balance } from './balance.tsx';
import { Cards } from './cards.tsx';
import { LoginForm } from './login-form.tsx';
import { PayFriend } from './pay-friend.tsx';
import { Statement } from './statement.tsx';
import { Trades } from './trades.tsx';

export function WalletPage() {
  const [token, setToken] = useStoredToken(USER_TOKEN);
  const [expired, setExpired] = useState(false);
  const login = useCallback(
    (next: string) => {
      setExpired(false);
      setToken(next);
    },
    [setToken],
  );
  const logout = useCallback(
    (sessionEnded: boolean) => {
      setExpired(sessionEnded);
      setToken(null);
    },
    [setToken],
  );
  if (!token) return <LoginForm onLogin={login} expired={expired} />;
  return <WalletView token={token} onLogout={logout} />;
}

function WalletView({ token, onLogout }: { token: string; onLogout: (sessionEnded: boolean) => void }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const wallet = useLoad(`wallet#${version}`, () => api<Wallet>('/v1/wallet', { token }));
  const unauthorized = wallet.error?.status === 401;
  useEffect(() => {
    if (unauthorized) onLogout(true);
  }, [unauthorized, onLogout]);
  return (
    <div className="page">
      <div className="page-actions">
        <button type="button" className="ghost" onClick={() => onLogout(false)}>
          {t('common.logout')}
        </button>
      </div>
      <ErrorMessage error={wallet.error} />
      <div className="grid two">
        {wallet.data && <Balance wallet={wallet.data} />}
        <PayFriend token={token} onPaid={changed} />
      </div>
      <Statement token={token} version={version} />
      <div className="grid two">
        <Cards token={token} version={version} onMoved={changed} />
        <Trades token={token} version={version} onChanged={changed} />
      </div>
    </div>
  );
}
