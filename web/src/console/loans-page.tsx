// The merchant's loan page (/app/loans), for a shop's owner logged in with the wallet session: per
// shop owned, the shop's score with the reasons behind it, its credit line, applying for a loan
// (cost and schedule shown before committing), and its loans with their schedules and repayments.
import { useCallback, useId, useState } from 'react';
import { api } from '../api.ts';
import type { Line, Score } from '../credit/credit-types.ts';
import '../credit/credit.css';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorMessage } from '../ui/error-message.tsx';
import { useLoad } from '../use-load.ts';
import { LinePanel, ScorePanel } from './credit-score.tsx';
import { LoanApply } from './loan-apply.tsx';
import { LoanList } from './loan-list.tsx';
import { type Membership, useMemberships, WithWalletSession } from './shop-page.tsx';

export function LoansPage() {
  return <WithWalletSession>{(token) => <OwnedShops token={token} />}</WithWalletSession>;
}

function OwnedShops({ token }: { token: string }) {
  const { t } = useI18n();
  const mine = useMemberships(token);
  const owned = (mine.data?.merchants ?? []).filter((m) => m.role === 'owner');
  return (
    <div className="page">
      <ErrorMessage error={mine.error} />
      {owned.length === 0 && !mine.loading && <p className="muted">{t('credit.noShops')}</p>}
      {owned.map((shop) => (
        <ShopCredit key={shop.merchant_id} token={token} shop={shop} />
      ))}
    </div>
  );
}

function ShopCredit({ token, shop }: { token: string; shop: Membership }) {
  const { t } = useI18n();
  const headingId = useId();
  const [version, setVersion] = useState(0);
  const changed = useCallback(() => setVersion((v) => v + 1), []);
  const scope = `merchant_id=${encodeURIComponent(shop.merchant_id)}`;
  const score = useLoad(`score?${scope}#${version}`, () => api<Score>(`/v1/credit/score?${scope}`, { token }));
  const line = useLoad(`line?${scope}#${version}`, () => api<Line>(`/v1/credit/line?${scope}`, { token }));
  return (
    <section aria-labelledby={headingId} className="page" data-merchant={shop.merchant_id}>
      <h2 id={headingId}>{shop.name}</h2>
      <ErrorMessage error={score.error ?? line.error} />
      <div className="grid two">
        {score.data && <ScorePanel score={score.data} />}
        {line.data && <LinePanel line={line.data} />}
      </div>
      {score.data?.band === 'none' && <p className="notice">{t('credit.noCredit')}</p>}
      {score.data && score.data.band !== 'none' && line.data && (
        <LoanApply token={token} merchantId={shop.merchant_id} available={line.data.available} onBorrowed={changed} />
      )}
      <LoanList token={token} merchantId={shop.merchant_id} version={version} onRepaid={changed} />
    </section>
  );
}
