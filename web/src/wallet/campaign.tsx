// The collect-five-cards campaign (/app/campaign?campaign=<id>): the countdown to the reveal, the
// user's five cards and whether they make a set, a card for scanning 福, and a card given to a friend.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { formatMoney, shortDateTime } from '../money.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { Field } from '../ui/field.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useAction } from '../ui/use-action.ts';
import { useLoad } from '../use-load.ts';
import type { Friend } from './red-packets.tsx';
import { useSession } from './session-context.ts';

const KINDS = ['富强', '爱国', '和谐', '友善', '敬业'] as const;
type Kind = (typeof KINDS)[number];

interface Campaign {
  campaign_id: string;
  name: string;
  pool_amount: string;
  reveal_at: string;
  status: 'open' | 'revealing' | 'revealed';
}

interface Hand {
  cards: Record<Kind, number>;
  complete: boolean;
}

const kindKey = (kind: Kind) => `cf.kind.${kind}` as MessageKey;

function campaignInAddress(): string {
  return new URLSearchParams(window.location.search).get('campaign') ?? '';
}

export function CampaignScreen() {
  const { t } = useI18n();
  const [campaignId, setCampaignId] = useState(campaignInAddress);
  const show = (id: string) => {
    window.history.replaceState(null, '', `?campaign=${encodeURIComponent(id)}`);
    setCampaignId(id);
  };
  return (
    <div className="stack" id="campaign">
      <ScreenTitle title={t('cf.title')} back />
      {campaignId ? <CampaignView key={campaignId} campaignId={campaignId} /> : <PickCampaign onPick={show} />}
    </div>
  );
}

function PickCampaign({ onPick }: { onPick: (id: string) => void }) {
  const { t } = useI18n();
  const [code, setCode] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (code.trim()) onPick(code.trim());
  };
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="cf-pick-title" id="cf-pick">
      <h2 id="cf-pick-title">{t('cf.pick')}</h2>
      <Field label={t('cf.code')} name="campaign_id" autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} required />
      <button type="submit">{t('cf.show')}</button>
    </form>
  );
}

function CampaignView({ campaignId }: { campaignId: string }) {
  const { t, lang } = useI18n();
  const { token } = useSession();
  const [round, setRound] = useState(0);
  const path = `/v1/campaigns/${encodeURIComponent(campaignId)}`;
  const campaign = useLoad(`campaign#${campaignId}`, () => api<Campaign>(path, { token }));
  const hand = useLoad(`hand#${campaignId}#${round}`, () => api<Hand>(`${path}/cards`, { token }));
  const c = campaign.data;
  return (
    <>
      <section className="card-box form-stack" aria-labelledby="cf-pool-title" id="cf-pool">
        <h2 id="cf-pool-title">{c?.name ?? t('common.loading')}</h2>
        {c && (
          <>
            <p id="cf-reveal">{t('cf.reveal', { pool: formatMoney(c.pool_amount, 'CNY'), time: shortDateTime(c.reveal_at, lang) })}</p>
            {c.status === 'open' ? <Countdown until={c.reveal_at} /> : <p id="cf-revealed">{t('cf.revealed')}</p>}
          </>
        )}
        <ErrorMessage error={campaign.error} />
      </section>
      <section className="card-box form-stack" aria-labelledby="cf-cards-title" id="cf-cards">
        <h2 id="cf-cards-title">{t('cf.cards')}</h2>
        <ul className="fu-cards">
          {KINDS.map((kind) => (
            <li key={kind} className={hand.data?.cards[kind] ? 'fu-card held' : 'fu-card'} data-kind={kind}>
              <span className="fu-name">{t(kindKey(kind))}</span>
              <span className="fu-count">×{hand.data?.cards[kind] ?? 0}</span>
            </li>
          ))}
        </ul>
        {hand.data && <p id="cf-complete">{t(hand.data.complete ? 'cf.complete' : 'cf.missing')}</p>}
        <ErrorMessage error={hand.error} />
      </section>
      {c?.status === 'open' && <Scan path={path} onCard={() => setRound((r) => r + 1)} />}
      {c?.status === 'open' && hand.data && <Gift path={path} hand={hand.data} onGiven={() => setRound((r) => r + 1)} />}
    </>
  );
}

/** Days, hours, minutes and seconds to the reveal, on the device's clock. */
function Countdown({ until }: { until: string }) {
  const { t } = useI18n();
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const left = Math.max(0, Math.floor((Date.parse(until) - now) / 1_000));
  const two = (n: number) => String(n).padStart(2, '0');
  const hms = `${two(Math.floor((left % 86_400) / 3_600))}:${two(Math.floor((left % 3_600) / 60))}:${two(left % 60)}`;
  return (
    <p id="cf-countdown" className="countdown">
      {t('cf.countdown', { days: Math.floor(left / 86_400), hms })}
    </p>
  );
}

function Scan({ path, onCard }: { path: string; onCard: () => void }) {
  const { t } = useI18n();
  const { token } = useSession();
  const [got, setGot] = useState<Kind>();
  const scan = useCallback(async () => {
    const { card } = await api<{ card: Kind }>(`${path}/actions`, {
      method: 'POST',
      token,
      body: { action: 'scan_fu', request_id: `scan-${crypto.randomUUID()}` },
    });
    setGot(card);
    onCard();
  }, [path, token, onCard]);
  const action = useAction(scan);
  return (
    <section className="card-box form-stack" aria-labelledby="cf-scan-title" id="cf-scan">
      <h2 id="cf-scan-title">{t('cf.scanTitle')}</h2>
      <button type="button" className="primary" id="cf-scan-button" disabled={action.running} onClick={() => void action.run()}>
        {t('cf.scan')}
      </button>
      {got && (
        <p id="cf-got" role="status">
          {t('cf.got', { card: t(kindKey(got)) })}
        </p>
      )}
      <ErrorMessage error={action.error} />
    </section>
  );
}

function Gift({ path, hand, onGiven }: { path: string; hand: Hand; onGiven: () => void }) {
  const { t } = useI18n();
  const { token, version } = useSession();
  const friends = useLoad(`friends#${version}`, () => api<{ friends: Friend[] }>('/v1/friends?limit=100', { token }));
  const held = KINDS.filter((k) => hand.cards[k] > 0);
  const [card, setCard] = useState('');
  const [phone, setPhone] = useState('');
  const [done, setDone] = useState('');
  const chosenCard = (card || held[0]) as Kind | undefined;
  const chosenPhone = phone || friends.data?.friends[0]?.phone || '';
  const give = useCallback(async () => {
    if (!chosenCard) return;
    await api(`${path}/gifts`, { method: 'POST', token, body: { card: chosenCard, to_phone: chosenPhone } });
    const name = friends.data?.friends.find((f) => f.phone === chosenPhone)?.name ?? chosenPhone;
    setDone(t('cf.gave', { card: t(kindKey(chosenCard)), name }));
    onGiven();
  }, [path, token, chosenCard, chosenPhone, friends.data, t, onGiven]);
  const action = useAction(give);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void action.run();
  };
  const noFriends = friends.data?.friends.length === 0;
  return (
    <form className="card-box form-stack" onSubmit={submit} aria-labelledby="cf-gift-title" id="cf-gift">
      <h2 id="cf-gift-title">{t('cf.gift')}</h2>
      {noFriends && <p className="muted">{t('cf.noFriends')}</p>}
      {!noFriends && held.length > 0 && (
        <>
          <label className="field">
            <span>{t('cf.card')}</span>
            <select name="card" id="cf-gift-card" value={chosenCard} onChange={(e) => setCard(e.target.value)}>
              {held.map((k) => (
                <option key={k} value={k}>
                  {t(kindKey(k))} ×{hand.cards[k]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{t('cf.friend')}</span>
            <select name="friend" id="cf-gift-friend" value={chosenPhone} onChange={(e) => setPhone(e.target.value)}>
              {friends.data?.friends.map((f) => (
                <option key={f.user_id} value={f.phone}>
                  {f.name} · {f.phone}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" disabled={action.running}>
            {t('cf.gift.submit')}
          </button>
        </>
      )}
      {done && (
        <p id="cf-gave" role="status">
          {done}
        </p>
      )}
      <ErrorMessage error={action.error ?? friends.error} />
    </form>
  );
}
