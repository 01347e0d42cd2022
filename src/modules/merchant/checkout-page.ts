// The hosted checkout page (`GET /checkout/:trade_no`): server-rendered HTML in Chinese and English,
// phone first: the merchant's name and the amount, a countdown to the trade's timeout, the page's own
// address as a QR code (to finish on a phone); the buyer logs in (POST /v1/sessions) and pays from balance or a bound card
// (POST /v1/trades/:trade_no/pay), or, once an escrow trade is shipped, confirms receipt
// (POST /v1/trades/:trade_no/confirm), with a few lines of plain JS. Every value is HTML-escaped, and
// the script reads the trade number from a data attribute, never from text spliced into code.
import QRCode from 'qrcode';
import { formatChinaTime } from './protocol/china-time.ts';
import type { Trade } from './trade-port.ts';
import { yuan } from './trade-wire.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const STATUS_LABELS: Record<string, string> = {
  WAIT_BUYER_PAY: '等待付款 Waiting for payment',
  WAIT_SELLER_SEND_GOODS: '已付款，等待发货 Paid, waiting for shipment',
  WAIT_BUYER_CONFIRM_GOODS: '已发货，等待确认收货 Shipped, waiting for confirmation',
  TRADE_SUCCESS: '交易成功 Paid',
  TRADE_FINISHED: '交易完成 Finished',
  TRADE_CLOSED: '交易关闭 Closed',
};

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
#choices button+button{background:#fff;color:#0b6b63}#message{min-height:1.5rem;margin:0;text-align:center;font-weight:600}
.scan{text-align:center}.scan svg{width:180px;height:180px}.muted{color:#4b5565;font-size:.9rem;margin:0}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}`;

// Plain JS. The countdown runs from the server's clock at rendering (data-now), so a skewed phone
// clock does not shorten or stretch it; at zero the form goes. Paying: log in, then choose the balance or one of the buyer's bound cards, and pay
// with a fresh request id (a retried click replays the same one); on an escrow trade the buyer may tick
// the return-shipping insurance quoted for it, bought with the payment. Confirming: log in and confirm.
// Card labels are set with textContent, never parsed as HTML.
const SCRIPT = `(function(){
var clock=document.getElementById('countdown');
if(clock){var left=Number(document.body.dataset.timeoutAt)-Number(document.body.dataset.now);var start=Date.now();
var tick=function(){var ms=Math.max(0,left-(Date.now()-start));var s=Math.floor(ms/1000);
clock.textContent=ms>0?'剩余支付时间 Time left '+Math.floor(s/60)+':'+String(s%60).padStart(2,'0'):'已超时 Time is up';
if(ms<=0){clock.classList.add('over');var f=document.getElementById('act');if(f)f.remove();clearInterval(timer);}};
var timer=setInterval(tick,1000);tick();}
var form=document.getElementById('act');if(!form)return;
var tradeNo=document.body.dataset.tradeNo;var action=form.dataset.action;
var requestId='chk-'+Date.now()+'-'+Math.random().toString(36).slice(2);
var msg=document.getElementById('message');var choices=document.getElementById('choices');
var trade='/v1/trades/'+encodeURIComponent(tradeNo)+'/';
async function call(method,path,body,token){var h={};if(body)h['content-type']='application/json';if(token)h.authorization='Bearer '+token;
var r=await fetch(path,{method:method,headers:h,body:body?JSON.stringify(body):undefined});var j=await r.json().catch(function(){return {};});
if(!r.ok)throw new Error(j.message||j.code||('HTTP '+r.status));return {status:r.status,body:j};}
function fail(err){msg.textContent='失败 Failed: '+err.message;}
async function pay(token,cardId){msg.textContent='处理中 Processing…';
try{var body={request_id:requestId};if(cardId)body.card_id=cardId;var ins=document.getElementById('insure');if(ins&&ins.checked)body.return_insurance=true;
var r=await call('POST',trade+'pay',body,token);
if(r.status===202){msg.textContent='银行处理中，稍后刷新 The bank is processing the payment; refresh later';return;}
var insured=r.body.return_insurance&&r.body.return_insurance.status==='bought';
msg.textContent='支付成功 Payment succeeded'+(insured?'，已投保退货运费险 return shipping insured':'');choices.remove();}catch(err){fail(err);}}
function insure(q){var l=document.createElement('label');var c=document.createElement('input');c.type='checkbox';c.id='insure';l.appendChild(c);
l.appendChild(document.createTextNode(' 退货运费险 ¥'+q.premium+'，退货赔付 ¥'+q.payout+' Return-shipping insurance'));choices.appendChild(l);}
function choice(label,token,cardId){var b=document.createElement('button');b.type='button';b.textContent=label;
b.addEventListener('click',function(){pay(token,cardId);});choices.appendChild(b);}
form.addEventListener('submit',async function(e){e.preventDefault();msg.textContent='处理中 Processing…';
try{var s=(await call('POST','/v1/sessions',{phone:form.phone.value,password:form.password.value})).body;
if(action==='confirm'){await call('POST',trade+'confirm',{},s.token);msg.textContent='已确认收货 Receipt confirmed';form.remove();return;}
var cards=(await call('GET','/v1/cards',undefined,s.token)).body.cards||[];form.remove();msg.textContent='';
if(document.body.dataset.escrow==='1'){try{insure((await call('GET',trade+'return-insurance',undefined,s.token)).body);}catch(err){}}
choice('余额支付 Pay from balance',s.token);
cards.filter(function(c){return c.status==='bound';}).forEach(function(c){choice('银行卡支付 Pay by card '+c.bank+' ****'+c.last4,s.token,c.card_id);});
}catch(err){fail(err);}});
})();`;

/** What the buyer can do on the page in each state: pay, or confirm that the goods arrived. */
const ACTIONS: Record<string, { action: string; label: string }> = {
  WAIT_BUYER_PAY: { action: 'pay', label: '登录并付款 Log in to pay' },
  WAIT_BUYER_CONFIRM_GOODS: { action: 'confirm', label: '登录并确认收货 Log in and confirm receipt' },
};

function actionForm(action: { action: string; label: string }): string {
  return `<form id="act" data-action="${action.action}">
<label>手机号 Phone <input name="phone" type="tel" autocomplete="username" required></label>
<label>密码 Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">${action.label}</button>
</form>`;
}

export interface CheckoutView {
  readonly trade: Trade;
  /** The merchant's display name; the page shows the trade number alone when it is unknown. */
  readonly merchantName: string | undefined;
  /** The page's own address, drawn as a QR code so a buyer at a computer can pay on a phone. */
  readonly pageUrl: string;
  readonly nowMs: number;
}

function head(title: string): string {
  return `<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title}</title><link rel="icon" href="/app/favicon.svg" type="image/svg+xml"><style>${STYLE}</style></head>`;
}

async function scanSection(pageUrl: string): Promise<string> {
  const svg = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  return `<section class="scan" aria-labelledby="scan-title"><h2 id="scan-title">用手机扫码支付 Pay on your phone</h2>
<div role="img" aria-label="二维码 QR code: ${escapeHtml(pageUrl)}">${svg}</div></section>`;
}

export async function renderCheckoutPage(view: CheckoutView): Promise<string> {
  const { trade } = view;
  const amount = escapeHtml(yuan(trade.totalAmountMinor));
  const action = ACTIONS[trade.status];
  const waiting = trade.status === 'WAIT_BUYER_PAY';
  return `<!doctype html>
<html lang="zh-CN">${head('收银台 Checkout')}
<body data-trade-no="${escapeHtml(trade.tradeNo)}" data-timeout-at="${trade.timeoutAtMs}" data-now="${view.nowMs}" data-escrow="${trade.productCode === 'ESCROW_TRADE_PAY' ? 1 : 0}">
<header>Formica 收银台 Checkout</header>
<main id="main">
<section class="pay" aria-labelledby="merchant">
<h1 id="merchant" class="merchant">${escapeHtml(view.merchantName ?? trade.tradeNo)}</h1>
<p class="subject">${escapeHtml(trade.subject)}</p>
<p class="amount" id="amount"><span class="sr-only">金额 Amount </span>¥${amount}</p>
${waiting ? '<p class="countdown" id="countdown" role="timer" aria-live="off"></p>' : `<p class="muted" id="status">${escapeHtml(STATUS_LABELS[trade.status] ?? trade.status)}</p>`}
</section>
${action ? `<section aria-label="${action.label}">${actionForm(action)}<div id="choices"></div><p id="message" role="status"></p></section>` : ''}
<details><summary>订单详情 Order details</summary><dl>
<dt>金额 Amount</dt><dd>¥${amount} ${escapeHtml(trade.currency)}</dd>
<dt>交易号 Trade no.</dt><dd>${escapeHtml(trade.tradeNo)}</dd>
<dt>创建时间 Created</dt><dd>${escapeHtml(formatChinaTime(trade.createdAtMs))}</dd>
<dt>状态 Status</dt><dd>${escapeHtml(STATUS_LABELS[trade.status] ?? trade.status)}</dd>
</dl></details>
${waiting ? await scanSection(view.pageUrl) : ''}
</main>
<script>${SCRIPT}</script>
</body></html>`;
}

/** A page for an unknown trade number, with the same look. */
export function renderMissingTradePage(): string {
  return `<!doctype html><html lang="zh-CN">${head('收银台 Checkout')}
<body><header>Formica 收银台 Checkout</header><main id="main"><section><h1 class="merchant">交易不存在 This trade does not exist.</h1></section></main></body></html>`;
}
