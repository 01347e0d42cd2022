// Onboarding after sign-up, also reachable from "Me": verify the identity, bind a card with the
// bank's SMS code, set the payment PIN. Each step shows what is done and can be done again.
import { useI18n } from '../i18n/i18n.tsx';
import type { Profile } from '../types.ts';
import { Link } from '../ui/link.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { BindCardStep } from './bind-card.tsx';
import { PinStep } from './pin-step.tsx';
import { useSession } from './session-context.ts';
import { VerifyStep } from './verify-step.tsx';

export function setupComplete(profile: Profile): boolean {
  return profile.level !== 'none' && profile.has_payment_pin;
}

export function Setup() {
  const { t } = useI18n();
  const { profile } = useSession();
  if (!profile) return null;
  return (
    <div className="stack" id="setup">
      <ScreenTitle title={t('setup.title')} back />
      <VerifyStep profile={profile} step={1} />
      <BindCardStep profile={profile} step={2} />
      <PinStep profile={profile} step={3} />
      <Link to="home" className="button primary" id="setup-finish">
        {setupComplete(profile) ? t('setup.finish') : t('setup.later')}
      </Link>
    </div>
  );
}
