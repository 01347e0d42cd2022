// The hosted checkout page (`GET /checkout/:trade_no`): server-rendered HTML in Chinese and English
// showing the trade; the buyer logs in (POST /v1/sessions) and pays from balance
// (POST /v1/trades/:trade_no/pay), or, once an escrow trade is shipped, confirms receipt
// (POST /v1/trades/:trade_no/confirm), with a few lines of plain JS. Every value is HTML-escaped, and
// the script reads the trade number from a data attribute, never from text spliced into code.
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

const STYLE = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#222}
dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}dt{color:#666}.amount{font-size:1.6rem;font-weight:600}
form{display:grid;gap:.6rem;margin-top:1.5rem}input,button{font-size:1rem;padding:.5rem}#message{min-height:1.5rem}`;

// Plain JS: log in, then pay with a fresh request id (a retried click replays the same one) or
// confirm receipt, and show the result.
const SCRIPT = `(function(){
var form=document.getElementById('act');if(!form)return;
var tradeNo=document.body.dataset.tradeNo;var action=form.dataset.action;
var requestId='chk-'+Date.now()+'-'+Math.random().toString(36).slice(2);
var msg=document.getElementById('message');
async function call(path,body,token){var h={'content-type':'application/json'};if(token)h.authorization='Bearer '+token;
var r=await fetch(path,{method:'POST',headers:h,body:JSON.stringify(body)});var j=await r.json().catch(function(){return {};});
if(!r.ok)throw new Error(j.message||j.code||('HTTP '+r.status));return j;}
form.addEventListener('submit',async function(e){e.preventDefault();msg.textContent='处理中 Processing…';
try{var s=await call('/v1/sessions',{phone:form.phone.value,password:form.password.value});
var path='/v1/trades/'+encodeURIComponent(tradeNo)+'/'+action;
await call(path,action==='pay'?{request_id:requestId}:{},s.token);
msg.textContent=action==='pay'?'支付成功 Payment succeeded':'已确认收货 Receipt confirmed';form.remove();}
catch(err){msg.textContent='失败 Failed: '+err.message;}});
})();`;

/** What the buyer can do on the page in each state: pay, or confirm that the goods arrived. */
const ACTIONS: Record<string, { action: string; label: string }> = {
  WAIT_BUYER_PAY: { action: 'pay', label: '登录并用余额支付 Log in and pay from balance' },
  WAIT_BUYER_CONFIRM_GOODS: { action: 'confirm', label: '登录并确认收货 Log in and confirm receipt' },
};

function actionForm(action: { action: string; label: string }): string {
  return `<form id="act" data-action="${action.action}">
<label>手机号 Phone <input name="phone" type="tel" autocomplete="username" required></label>
<label>密码 Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">${action.label}</button>
</form>`;
}

export function renderCheckoutPage(trade: Trade): string {
  const amount = escapeHtml(yuan(trade.totalAmountMinor));
  const action = ACTIONS[trade.status];
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>收银台 Checkout</title><style>${STYLE}</style></head>
<body data-trade-no="${escapeHtml(trade.tradeNo)}">
<h1>收银台 Checkout</h1>
<dl>
<dt>商品 Subject</dt><dd>${escapeHtml(trade.subject)}</dd>
<dt>金额 Amount</dt><dd class="amount">¥${amount} ${escapeHtml(trade.currency)}</dd>
<dt>交易号 Trade no.</dt><dd>${escapeHtml(trade.tradeNo)}</dd>
<dt>创建时间 Created</dt><dd>${escapeHtml(formatChinaTime(trade.createdAtMs))}</dd>
<dt>状态 Status</dt><dd id="status">${escapeHtml(STATUS_LABELS[trade.status] ?? trade.status)}</dd>
</dl>
${action ? actionForm(action) : ''}
<p id="message" role="status"></p>
<script>${SCRIPT}</script>
</body></html>`;
}

/** A page for an unknown trade number, with the same look. */
export function renderMissingTradePage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>收银台 Checkout</title><style>${STYLE}</style></head>
<body><h1>收银台 Checkout</h1><p>交易不存在 This trade does not exist.</p></body></html>`;
}
