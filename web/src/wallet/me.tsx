// "Me": who is logged in and at what real-name level, the limits as a list (readable on a phone),
// the cards, the trades bought, the setup steps, and logging out.
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney } from '../money.ts';
import type { Wallet } from '../types.ts';
import { Icon } from '../ui/icons.tsx';
import { Link } from '../ui/link.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useSession } from './session-context.ts';
import { Trades } from './trades.tsx';
import { useCards } from './use-cards.ts';

export function Me() {
  const { t } = useI18n();
  const { profile, wallet, logout } = useSession();
  return (
    <div className="stack" id="me">
      <ScreenTitle title={t('me.title')} />
      {profile && (
        <section className="card-box profile" aria-label={t('me.title')}>
          <Icon name="user" size={40} />
          <div>
            <p className="profile-name">{profile.name}</p>
            <p className="muted">{maskPhone(profile.phone)}</p>
          </div>
          <span className="tag">{t('wallet.level', { level: profile.level })}</span>
        </section>
      )}
      <nav className="card-box menu" aria-label={t('me.security')}>
        <Link to="setup">
          <Icon name="shield" /> {t('me.verify')} · {t('bind.title')} · {t('pin.title')}
        </Link>
      </nav>
      <MyCards />
      {wallet && <Limits wallet={wallet} />}
      <Trades />
      <button type="button" className="ghost wide" onClick={logout} id="logout">
        {t('common.logout')}
      </button>
    </div>
  );
}

export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}

function MyCards() {
  const { t, tOr } = useI18n();
  const cards = useCards();
  const list = cards.data?.cards ?? [];
  return (
    <section className="card-box" aria-labelledby="cards-title" id="cards">
      <h2 id="cards-title">{t('me.cards')}</h2>
      {list.length === 0 && !cards.loading && <p className="muted">{t('money.noCard')}</p>}
      <ul className="items">
        {list.map((c) => (
          <li key={c.card_id} className="item">
            <span className="item-icon">
              <Icon name="card" />
            </span>
            <span className="item-main">
              <span className="item-title">
                {c.bank} •••• {c.last4 ?? '----'}
              </span>
            </span>
            <span className="tag">{tOr(`cardStatus.${c.status}`, c.status)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Limits({ wallet }: { wallet: Wallet }) {
  const { t, tOr } = useI18n();
  const money = (amount: string) => formatMoney(amount, wallet.currency);
  return (
    <section className="card-box" aria-labelledby="limits-title" id="limits">
      <h2 id="limits-title">{t('wallet.limits')}</h2>
      <ul className="items">
        {wallet.limits.map((l) => (
          <li key={l.name} className="item limit">
            <span className="item-main">
              <span className="item-title">{tOr(`limit.${l.name}`, l.name)}</span>
              <span className="item-sub">
                {t('wallet.limit.used')} {money(l.used)} / {money(l.limit)}
              </span>
            </span>
            <span className="item-end">
              <span className="amount">{money(l.left)}</span>
              <span className="item-sub">{t('wallet.limit.left')}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
