// A QR code drawn by the qrcode library on a canvas, labelled for screen readers; the encoded text
// rides on data-value so a test can read what a scanner would.
import QRCode from 'qrcode';
import { useEffect, useRef } from 'react';

export function QrCode({ value, label, size = 220 }: { value: string; label: string; size?: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, value, { width: size, margin: 2, errorCorrectionLevel: 'M' });
  }, [value, size]);
  return <canvas ref={canvas} className="qr" role="img" aria-label={label} data-testid="qr" data-value={value} />;
}
