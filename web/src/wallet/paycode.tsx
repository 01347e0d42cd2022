// The one-time pay code (GET /v1/wallet/paycode) as a QR code and a barcode for the till's
// scanner, fetched again before it expires. The digits are masked unless the user asks: a code
// read over a shoulder is a code someone else can pay with.
import JsBarcode from 'jsbarcode';
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Paycode } from '../types.ts';
import { ErrorMessage } from '../ui/error-message.tsx';
import { QrCode } from '../ui/qr-code.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { useLoad } from '../use-load.ts';
import { useSession } from './session-context.ts';

/** Fetch a new code this long before the old one expires, and at least this often. */
const MARGIN_MS = 15_000;
const MAX_LIFE_MS = 60_000;

export function PaycodeScreen() {
  const { t } = useI18n();
  const { token } = useSession();
  const [round, setRound] = useState(0);
  const code = useLoad(`paycode#${round}`, () => api<Paycode>('/v1/wallet/paycode', { token }));
  const secondsLeft = useRefreshTimer(code.data, () => setRound((r) => r + 1));
  const [revealed, setRevealed] = useState(false);
  const digits = code.data?.auth_code;
  return (
    <div className="stack" id="paycode">
      <ScreenTitle title={t('paycode.title')} back />
      <section className="card-box paycode" aria-labelledby="paycode-hint">
        <p id="paycode-hint" className="muted center">
          {t('paycode.hint')}
        </p>
        <ErrorMessage error={code.error} />
        {digits && (
          <>
            <Barcode value={digits} label={t('paycode.barcode')} />
            <p className="paycode-digits" data-testid="paycode-digits">
              {revealed ? digits.replace(/(\d{4})(?=\d)/g, '$1 ') : `${digits.slice(0, 4)} •••• •••• ••••`}
            </p>
            <button type="button" className="ghost small-button" aria-pressed={revealed} onClick={() => setRevealed(!revealed)}>
              {revealed ? t('paycode.conceal') : t('paycode.reveal')}
            </button>
            <QrCode value={digits} label={t('paycode.qr')} />
          </>
        )}
        <p className="muted center" aria-live="polite">
          {secondsLeft !== undefined && t('paycode.expires', { seconds: secondsLeft })}{' '}
          <button type="button" className="link-button" onClick={() => setRound((r) => r + 1)}>
            {t('paycode.refresh')}
          </button>
        </p>
      </section>
    </div>
  );
}

/** Seconds until the next fetch, counting down each second; calls `renew` when it reaches zero. */
function useRefreshTimer(code: Paycode | undefined, renew: () => void): number | undefined {
  const [left, setLeft] = useState<number>();
  const renewRef = useRef(renew);
  renewRef.current = renew;
  useEffect(() => {
    if (!code) return;
    const lifeMs = Math.min(MAX_LIFE_MS, code.expires_at - Date.now() - MARGIN_MS);
    const due = Date.now() + Math.max(lifeMs, 5_000);
    const tick = () => setLeft(Math.max(0, Math.round((due - Date.now()) / 1000)));
    tick();
    const timer = setInterval(tick, 1000);
    const renewal = setTimeout(() => renewRef.current(), due - Date.now());
    return () => {
      clearInterval(timer);
      clearTimeout(renewal);
    };
  }, [code]);
  return left;
}

function Barcode({ value, label }: { value: string; label: string }) {
  const svg = useRef<SVGSVGElement>(null);
  useEffect(() => {
    const element = svg.current;
    if (!element) return;
    JsBarcode(element, value, { format: 'CODE128', displayValue: false, height: 64, margin: 0, width: 2 });
    // Scale to the box: bars keep their proportions across the width, which is all a scanner needs.
    element.setAttribute('viewBox', `0 0 ${element.getAttribute('width')?.replace('px', '')} ${element.getAttribute('height')?.replace('px', '')}`);
    element.setAttribute('preserveAspectRatio', 'none');
    element.removeAttribute('width');
    element.removeAttribute('height');
  }, [value]);
  return <svg ref={svg} className="barcode" role="img" aria-label={label} data-testid="barcode" />;
}
