// One onboarding step: its number, its title, a "done" mark, and its form.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

export const SETUP_STEPS = 3;

export function Step({ id, step, title, done, children }: { id: string; step: number; title: string; done: boolean; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className={`card-box step${done ? ' done' : ''}`} id={id} aria-labelledby={`${id}-title`}>
      <p className="step-count">
        {t('setup.step', { n: step, total: SETUP_STEPS })}
        {done && <span className="tag ok"> ✓ {t('setup.done')}</span>}
      </p>
      <h2 id={`${id}-title`}>{title}</h2>
      {children}
    </section>
  );
}
