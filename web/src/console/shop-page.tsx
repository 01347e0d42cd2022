// The merchant console for a shop's own people (owner and staff), logged in with their wallet
// session: the settlement balance and a withdrawal to the payout account, and the latest trades
// with a refund (amount and reason) on each paid one. The server checks the role on every call;
// the page shows what it refuses.
import { type FormEvent, type ReactNode, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import { USER_TOKEN, useStoredToken } from '../session.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { Link } from '../ui/link.tsx';
import { Panel } from '../ui/panel.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import { ShopTools } from './shop-tools.tsx';
import { Trades } from './shop-trades.tsx';

export interface Membership {
  merchant_id: string;
  name: string;
  app_id: string;
  role: 'owner' | 'finance' | 'support';
}

/** The shop pages (this one, the loans) with the wallet's session, or a prompt to log in there first. */
export function WithWalletSession({ children }: { children: (token: string) => ReactNode }) {
  const { t } = useI18n();
  const [token] = useStoredToken(USER_TOKEN);
  if (!token) {
    return (
      <p>
        {t('shop.loginFirst')} <Link to="home">{t('nav.wallet')}</Link>
      </p>
    );
  }
  return children(token);
}

/** The shops the user works for, with the role in each. */
export function useMemberships(token: string) {
  return useLoad('shop-merchants', () => api<{ merchants: Membership[] }>('/v1/merchant-console/merchants', { token }));
}

export function ShopPage() {
  return <WithWalletSession>{(token) => <Shops token={token} />}</WithWalletSession>;
}

function Shops({ token }: { token: string }) {
  const { t } = useI18n();
  const mine = useMemberships(token);
  const shops = mine.data?.merchants ?? [];
  return (
    <div className="page">
      <ErrorMessage error={mine.error} />
      {shops.length === 0 && !mine.loading && <p className="muted">{t('shop.none')}</p>}
      {shops.map((shop) => (
        <Shop key={shop.merchant_id} token={token} shop={shop} />
      ))}
    </div>
  );
}

function Shop({ token, shop }: { token: string; shop: Membership }) {
  const { t } = useI18n();
  const [version, setVersion] = useState(0);
  const changed = () => setVersion((v) => v + 1);
  return (
    <section aria-label={shop.name}>
      <h2>
        {shop.name} <span className="muted">({t(`shop.role.${shop.role}`)})</span>
      </h2>
      {shop.role !== 'support' && <Balance token={token} shop={shop} version={version} onWithdrawn={changed} />}
      <Trades token={token} shop={shop} version={version} onRefunded={changed} />
      <ShopTools token={token} shop={shop} />
    </section>
  );
}

function Balance({ token, shop, version, onWithdrawn }: { token: string; shop: Membership; version: number; onWithdrawn: () => void }) {
  const { t } = useI18n();
  const base = `/v1/merchant-console/merchants/${shop.merchant_id}`;
  const balance = useLoad(`${base}/balance#${version}`, () => api<{ balance: string; available: string; currency: string }>(`${base}/balance`, { token }));
  const [amount, setAmount] = useState('');
  const [result, setResult] = useState<{ status: string; reason: string }>();
  const action = useAction(async () => {
    setResult(
      await api<{ status: string; reason: string }>(`${base}/withdrawals`, {
        method: 'POST',
        token,
        body: { amount: amount.trim(), currency: 'CNY', request_id: crypto.randomUUID() },
      }),
    );
    setAmount('');
    onWithdrawn();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setResult(undefined);
    void action.run();
  };
  return (
    <Panel title={t('shop.balance')} id="shop-balance">
      <ErrorMessage error={balance.error} />
      {balance.data && (
        <dl className="figures">
          <div>
            <dt>{t('shop.balance')}</dt>
            <dd data-testid="shop-balance">{formatMoney(balance.data.balance, balance.data.currency)}</dd>
          </div>
          <div>
            <dt>{t('shop.available')}</dt>
            <dd>{formatMoney(balance.data.available, balance.data.currency)}</dd>
          </div>
        </dl>
      )}
      <form className="form" onSubmit={submit}>
        <Field
          label={t('shop.withdrawAmount')}
          name="withdraw_amount"
          inputMode="decimal"
          value={amount}
          onChange={(e) => setAmount(e.target.value)}
          required
        />
        <button type="submit" disabled={action.running}>
          {t('shop.withdraw')}
        </button>
      </form>
      <ErrorMessage error={action.error} />
      {result && (
        <p role="status" id="withdrawal-result">
          {t(`shop.withdrawal.${result.status === 'succeeded' ? 'succeeded' : result.status === 'pending' ? 'pending' : 'failed'}`)}
        </p>
      )}
    </Panel>
  );
}
