// Scan to pay (/app/scan): a merchant's QR code (precreate's qr_code, the cashier's address) opens
// its cashier in this tab, where the wallet's session pays. The camera is read with the browser's
// BarcodeDetector where it has one; everywhere the link can be pasted or typed instead.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ScreenTitle } from '../ui/screen-title.tsx';
import { cashierPath } from './scan-link.ts';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
type DetectorClass = new (options: { formats: string[] }) => Detector;

const detectorClass = (): DetectorClass | undefined => (globalThis as { BarcodeDetector?: DetectorClass }).BarcodeDetector;
const SCAN_EVERY_MS = 300;

function openCashier(path: string): void {
  window.location.assign(path);
}

export function ScanScreen() {
  const { t } = useI18n();
  const [link, setLink] = useState('');
  const [refused, setRefused] = useState(false);
  const [camera, setCamera] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const path = cashierPath(link, window.location.origin);
    setRefused(!path);
    if (path) openCashier(path);
  };
  return (
    <div className="stack">
      <ScreenTitle title={t('scan.title')} back />
      {detectorClass() && (
        <section className="card-box" aria-label={t('scan.camera')}>
          {camera ? (
            <CameraScanner onRefused={() => setRefused(true)} />
          ) : (
            <button type="button" className="primary wide" id="scan-camera" onClick={() => setCamera(true)}>
              {t('scan.camera')}
            </button>
          )}
        </section>
      )}
      <section className="card-box" aria-labelledby="scan-paste-title">
        <h2 id="scan-paste-title">{t('scan.paste')}</h2>
        <form className="form-stack" id="scan" onSubmit={submit}>
          <label className="field">
            <span>{t('scan.link')}</span>
            <input name="qr_link" type="url" inputMode="url" value={link} onChange={(e) => setLink(e.target.value)} required />
          </label>
          <button type="submit" className="primary">
            {t('scan.open')}
          </button>
          {refused && (
            <p className="error-box" role="alert">
              {t('scan.refused')}
            </p>
          )}
        </form>
      </section>
    </div>
  );
}

/** The back camera into a video, read for QR codes until one names a cashier. */
function CameraScanner({ onRefused }: { onRefused: () => void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    const Detector = detectorClass();
    if (!Detector) return;
    const detector = new Detector({ formats: ['qr_code'] });
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' } })
      .then(async (media) => {
        stream = media;
        if (!video.current) return;
        video.current.srcObject = media;
        await video.current.play();
        timer = setInterval(async () => {
          const codes = video.current ? await detector.detect(video.current).catch(() => []) : [];
          for (const code of codes) {
            const path = cashierPath(code.rawValue, window.location.origin);
            if (path) return openCashier(path);
            onRefused();
          }
        }, SCAN_EVERY_MS);
      })
      .catch(() => setFailed(true));
    return () => {
      if (timer) clearInterval(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
  }, [onRefused]);
  if (failed) return <p className="muted">{t('scan.noCamera')}</p>;
  return <video ref={video} className="scan-video" muted playsInline aria-label={t('scan.camera')} />;
}
