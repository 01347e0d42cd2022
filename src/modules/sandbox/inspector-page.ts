// The inspector (`GET /sandbox/`): one plain page a developer reads while integrating, listing the
// merchant requests (parameters, the signature check and why it failed, the answer) and the
// notifications (each attempt, the merchant's answer, the next retry). Server-rendered, no script.
import type { PendingFault } from './faults.ts';
import type { GatewayExchange } from './gateway-log.ts';
import type { DeliveryAttempt } from './notification-log.ts';

export interface InspectorFilter {
  readonly appId?: string;
  readonly trade?: string;
}

/** One notification: its attempts, newest first, and where the outbox stands now. */
export interface NotificationView {
  readonly notifyId: string;
  readonly tradeNo: string;
  readonly outTradeNo: string;
  readonly appId: string;
  readonly status: string;
  /** When the outbox sends it next; set while it is pending. */
  readonly nextAtMs?: number;
  readonly attempts: readonly DeliveryAttempt[];
}

export interface InspectorData {
  readonly nowMs: number;
  readonly filter: InspectorFilter;
  readonly faults: readonly PendingFault[];
  readonly requests: readonly GatewayExchange[];
  readonly notifications: readonly NotificationView[];
}

export function renderInspector(data: InspectorData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Formica sandbox inspector / 沙箱检查器</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#222}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f4f4f4}pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:12px;max-height:16rem;overflow:auto}
.verified{color:#176b2c}.failed{color:#b00020;font-weight:600}.not_checked{color:#8a5a00}.muted{color:#666}
form{margin:1rem 0}input{margin-right:.5rem}
</style></head><body>
<h1>Formica sandbox inspector / 沙箱检查器</h1>
<p>Sandbox time / 沙箱时间: <strong>${iso(data.nowMs)}</strong>. Pending faults / 待触发故障: ${faults(data.faults)}</p>
<form method="get" action="/sandbox/">
<label>app_id <input name="app_id" value="${escapeHtml(data.filter.appId ?? '')}"></label>
<label>trade (trade_no / out_trade_no) <input name="trade" value="${escapeHtml(data.filter.trade ?? '')}"></label>
<button type="submit">Filter / 筛选</button> <a href="/sandbox/">all / 全部</a>
</form>
<h2>Merchant requests / 商户请求 (${data.requests.length})</h2>
${data.requests.length === 0 ? '<p class="muted">none yet</p>' : requestsTable(data.requests)}
<h2>Notifications / 异步通知 (${data.notifications.length})</h2>
${data.notifications.length === 0 ? '<p class="muted">none yet</p>' : data.notifications.map(notification).join('\n')}
</body></html>`;
}

function requestsTable(requests: readonly GatewayExchange[]): string {
  const rows = requests.map(
    (r) => `<tr>
<td>${iso(r.atMs)}<br><span class="muted">${escapeHtml(r.protocol)} ${escapeHtml(r.httpMethod)} ${escapeHtml(r.path)}</span></td>
<td>${escapeHtml(r.method ?? '?')}<br><span class="muted">app_id ${escapeHtml(r.appId ?? '?')}</span></td>
<td><pre>${escapeHtml(JSON.stringify(r.params, null, 1))}</pre></td>
<td class="${r.signature.verdict}">${escapeHtml(r.signature.verdict)}: ${escapeHtml(r.signature.reason)}${r.signature.details.map((d) => `<pre>${escapeHtml(d)}</pre>`).join('')}</td>
<td>HTTP ${r.status}<pre>${escapeHtml(r.response)}</pre></td>
</tr>`,
  );
  return `<table><tr><th>time</th><th>method</th><th>parameters</th><th>signature / 验签</th><th>response / 响应</th></tr>
${rows.join('\n')}</table>`;
}

function notification(n: NotificationView): string {
  const rows = n.attempts.map(
    (a, i) => `<tr>
<td>${iso(a.atMs)}</td>
<td>${escapeHtml(a.url)}</td>
<td class="${a.accepted ? 'verified' : 'failed'}">${a.answer === undefined ? `no answer: ${escapeHtml(a.error ?? '')}` : escapeHtml(a.answer)}${a.fault ? ` <span class="muted">(fault ${escapeHtml(a.fault)})</span>` : ''}</td>
<td>${a.accepted ? '-' : nextRetry(n, i)}</td>
<td><pre>${escapeHtml(JSON.stringify(a.fields, null, 1))}</pre></td>
</tr>`,
  );
  return `<h3>${escapeHtml(n.notifyId)} <span class="muted">trade ${escapeHtml(n.tradeNo)} / ${escapeHtml(n.outTradeNo)}, app_id ${escapeHtml(n.appId)}: ${escapeHtml(n.status)}${n.nextAtMs === undefined ? '' : `, next attempt ${iso(n.nextAtMs)}`}</span></h3>
<table><tr><th>attempt at</th><th>url</th><th>merchant's answer / 商户应答</th><th>next retry / 下次重试</th><th>form</th></tr>
${rows.join('\n')}</table>`;
}

/** After the newest attempt, the outbox's own schedule; after an older one, when the next attempt came. */
function nextRetry(n: NotificationView, newestFirstIndex: number): string {
  if (newestFirstIndex > 0) return iso(n.attempts[newestFirstIndex - 1].atMs);
  return n.nextAtMs === undefined ? escapeHtml(n.status) : iso(n.nextAtMs);
}

function faults(pending: readonly PendingFault[]): string {
  if (pending.length === 0) return 'none';
  return pending.map((f) => `${escapeHtml(f.target)} ${escapeHtml(f.kind)} ×${f.remaining}`).join(', ');
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
