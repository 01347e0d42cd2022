// The hosted checkout page (`GET /checkout/:trade_no`): server-rendered HTML in Chinese and English
// showing the trade; the buyer logs in (POST /v1/sessions) and pays from balance or a bound card
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
form,#choices{display:grid;gap:.6rem;margin-top:1.5rem}input,button{font-size:1rem;padding:.5rem}#message{min-height:1.5rem}`;

// Plain JS. Paying: log in, then choose the balance or one of the buyer's bound cards, and pay
// with a fresh request id (a retried click replays the same one). Confirming: log in and confirm.
// Card labels are set with textContent, never parsed as HTML.
const SCRIPT = `(function(){
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
try{var body={request_id:requestId};if(cardId)body.card_id=cardId;var r=await call('POST',trade+'pay',body,token);
if(r.status===202){msg.textContent='银行处理中，稍后刷新 The bank is processing the payment; refresh later';return;}
msg.textContent='支付成功 Payment succeeded';choices.remove();}catch(err){fail(err);}}
function choice(label,token,cardId){var b=document.createElement('button');b.type='button';b.textContent=label;
b.addEventListener('click',function(){pay(token,cardId);});choices.appendChild(b);}
form.addEventListener('submit',async function(e){e.preventDefault();msg.textContent='处理中 Processing…';
try{var s=(await call('POST','/v1/sessions',{phone:form.phone.value,password:form.password.value})).body;
if(action==='confirm'){await call('POST',trade+'confirm',{},s.token);msg.textContent='已确认收货 Receipt confirmed';form.remove();return;}
var cards=(await call('GET','/v1/cards',undefined,s.token)).body.cards||[];form.remove();msg.textContent='';
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
<div id="choices"></div>
<p id="message" role="status"></p>
<script>${SCRIPT}</script>
</body></html>`;
}

/** A page for an unknown trade number, with the same look. */
export function renderMissingTradePage(): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>收银台 Checkout</title><style>${STYLE}</style></head>
<body><h1>收银台 Checkout</h1><p>交易不存在 This trade does not exist.</p></body></html>`;
}
