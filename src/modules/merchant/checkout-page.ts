// The hosted checkout page (`GET /checkout/:trade_no`): server-rendered HTML in Chinese or English
// (checkout-text.ts), phone first: the merchant's name and the amount, a countdown to the trade's
// timeout, the ways to pay (balance, a bound card, pay-later), the payment PIN on a pad, a link back
// to the merchant, and the page's own address as a QR code (to finish on a phone). The buyer's steps
// run in checkout-client.js, inlined. Every value is HTML-escaped.
import fs from 'node:fs';
import QRCode from 'qrcode';
import { formatChinaTime } from './protocol/china-time.ts';
import { CHECKOUT_TEXT, type CheckoutLang, type CheckoutText } from './checkout-text.ts';
import type { Trade } from './trade-port.ts';
import { yuan } from './trade-wire.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const STYLE = `*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;color:#0f172a;background:#f2f4f7;line-height:1.45}
header{background:#07504a;color:#fff;padding:12px 16px;font-weight:700}main{max-width:30rem;margin:0 auto;padding:16px;display:grid;gap:14px}
section,details{background:#fff;border-radius:14px;padding:16px}.pay{text-align:center}.merchant{font-size:1.1rem;font-weight:700;margin:0}
.subject{color:#4b5565;margin:4px 0 0;overflow-wrap:anywhere}.amount{font-size:2.4rem;font-weight:700;margin:10px 0;font-variant-numeric:tabular-nums}
.countdown{display:inline-block;background:#fef0c7;color:#8a4b00;border-radius:999px;padding:2px 12px;font-size:.9rem;margin:0}
.countdown.over{background:#fee4e2;color:#b42318}h2{font-size:1rem;margin:0 0 10px}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem;margin:10px 0 0}dt{color:#4b5565}dd{margin:0;overflow-wrap:anywhere}summary{cursor:pointer;font-weight:600}
form,#choices{display:grid;gap:12px}label{display:grid;gap:4px;color:#4b5565;font-size:.9rem}#choices:empty{display:none}
input{font:inherit;font-size:16px;padding:11px 12px;border:1px solid #b8c0cc;border-radius:10px;width:100%}
button{font:inherit;font-size:1.05rem;font-weight:600;min-height:48px;border-radius:10px;border:1px solid #0b6b63;background:#0b6b63;color:#fff;cursor:pointer}
#message{min-height:1.5rem;margin:0;text-align:center;font-weight:600}
.scan{text-align:center}.scan svg{width:180px;height:180px}.muted{color:#4b5565;font-size:.9rem;margin:0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
header{display:flex;justify-content:space-between;align-items:center;gap:12px}header a{color:#fff}
.choice{display:grid;gap:2px;text-align:left;padding:10px 14px}.choice small{font-weight:400;font-size:.85rem}
#choices .choice+.choice{background:#fff;color:#0b6b63}#paying-as{margin:0}
#pinpad{display:grid;gap:8px;text-align:center}.pin-title{margin:0;font-weight:600}.pin-dots{margin:0;font-size:1.4rem;letter-spacing:.4rem;color:#0b6b63}
.pin-keys{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}.pin-keys button{background:#fff;color:#0f172a;border-color:#b8c0cc;font-size:1.3rem}
.links{display:flex;flex-wrap:wrap;gap:8px 16px;justify-content:center}.links[hidden]{display:none}.links a{color:#0b6b63;font-weight:600}
@media (min-width:48rem){main{max-width:34rem;padding:32px 16px}}`;

const SCRIPT = fs.readFileSync(new URL('./checkout-client.js', import.meta.url), 'utf8');

/** What the buyer can do on the page in each state: pay, or confirm that the goods arrived. */
const ACTIONS: Record<string, { action: string; label: (t: CheckoutText) => string }> = {
  WAIT_BUYER_PAY: { action: 'pay', label: (t) => t.loginToPay },
  WAIT_BUYER_CONFIRM_GOODS: { action: 'confirm', label: (t) => t.loginToConfirm },
};

function actionForm(t: CheckoutText, action: string, label: string): string {
  return `<form id="act" data-action="${action}">
<label>${t.phone} <input name="phone" type="tel" autocomplete="username" required></label>
<label>${t.password} <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">${label}</button>
</form>`;
}

export interface CheckoutView {
  readonly trade: Trade;
  /** The merchant's display name; the page shows the trade number alone when it is unknown. */
  readonly merchantName: string | undefined;
  /** The page's own address, drawn as a QR code so a buyer at a computer can pay on a phone. */
  readonly pageUrl: string;
  readonly nowMs: number;
  readonly lang: CheckoutLang;
  /** Where the merchant asked the buyer to be sent back (page pay's return_url), when it did. */
  readonly returnUrl?: string;
}

function head(t: CheckoutText): string {
  return `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${t.title}</title><link rel="icon" href="/app/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>`;
}

/** The bar on top, with a link to the same page in the other language. */
function header(t: CheckoutText, otherLangHref: string | undefined): string {
  const other = otherLangHref ? `<a href="${escapeHtml(otherLangHref)}" lang="${t === CHECKOUT_TEXT.zh ? 'en' : 'zh-CN'}">${t.otherLang}</a>` : '';
  return `<header><span>${t.header}</span>${other}</header>`;
}

async function scanSection(t: CheckoutText, pageUrl: string): Promise<string> {
  const svg = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `<section class="scan" aria-labelledby="scan-title"><h2 id="scan-title">${t.scanTitle}</h2>
<div role="img" aria-label="${t.qrLabel}${escapeHtml(pageUrl)}">${svg}</div></section>`;
}

/** Back to the merchant (when it gave an address) and to the wallet, shown once the trade is paid. */
function links(t: CheckoutText, returnUrl: string | undefined, paid: boolean): string {
  const merchant = returnUrl ? `<a id="return" href="${escapeHtml(returnUrl)}">${t.backToMerchant}</a>` : '';
  return `<nav class="links" id="after" aria-label="${t.backToWallet}"${paid ? '' : ' hidden'}>${merchant}<a href="/app/activity">${t.backToWallet}</a></nav>`;
}

/** The words the script shows, as JSON no HTML parser can end early. */
function textBlock(t: CheckoutText): string {
  return `<script type="application/json" id="checkout-text">${JSON.stringify(t).replace(/</g, '\\u003c')}</script>`;
}

export async function renderCheckoutPage(view: CheckoutView): Promise<string> {
  const { trade } = view;
  const t = CHECKOUT_TEXT[view.lang];
  const amount = escapeHtml(yuan(trade.totalAmountMinor));
  const action = ACTIONS[trade.status];
  const waiting = trade.status === 'WAIT_BUYER_PAY';
  const status = escapeHtml(t.statuses[trade.status] ?? trade.status);
  const otherLang = new URL(view.pageUrl);
  otherLang.searchParams.set('lang', view.lang === 'zh' ? 'en' : 'zh');
  return `<!doctype html>
<html lang="${t.htmlLang}">${head(t)}
<body data-trade-no="${escapeHtml(trade.tradeNo)}" data-amount="${amount}" data-timeout-at="${trade.timeoutAtMs}" data-now="${view.nowMs}" data-escrow="${trade.productCode === 'ESCROW_TRADE_PAY' ? 1 : 0}">
${header(t, `${otherLang.pathname}${otherLang.search}`)}
<main id="main">
<section class="pay" aria-labelledby="merchant">
<h1 id="merchant" class="merchant">${escapeHtml(view.merchantName ?? trade.tradeNo)}</h1>
<p class="amount" id="amount"><span class="sr-only">${t.amountLabel} </span>¥${amount}</p>
<p class="subject">${escapeHtml(trade.subject)}</p>
${waiting ? '<p class="countdown" id="countdown" role="timer" aria-live="off"></p>' : `<p class="muted" id="status">${status}</p>`}
</section>
${action ? `<section aria-label="${action.label(t)}">${actionForm(t, action.action, action.label(t))}<div id="choices"></div><p id="message" role="status"></p></section>` : ''}
${links(t, view.returnUrl, !waiting)}
<details><summary>${t.details}</summary><dl>
<dt>${t.amountLabel}</dt><dd>¥${amount} ${escapeHtml(trade.currency)}</dd>
<dt>${t.tradeNo}</dt><dd>${escapeHtml(trade.tradeNo)}</dd>
<dt>${t.created}</dt><dd>${escapeHtml(formatChinaTime(trade.createdAtMs))}</dd>
<dt>${t.status}</dt><dd>${status}</dd>
</dl></details>
${waiting ? await scanSection(t, view.pageUrl) : ''}
</main>
${textBlock(t)}
<script>${SCRIPT}</script>
</body></html>`;
}

/** A page for an unknown trade number, with the same look. */
export function renderMissingTradePage(lang: CheckoutLang): string {
  const t = CHECKOUT_TEXT[lang];
  return `<!doctype html><html lang="${t.htmlLang}">${head(t)}
<body>${header(t, undefined)}<main id="main"><section><h1 class="merchant">${t.missing}</h1></section></main></body></html>`;
}
