// Gathers what the inspector page shows, filtered by app id and trade: the request log, and the
// notification attempts grouped per notification with where the outbox stands now.
import type { NotificationRecord } from '../trade/trade.ts';
import type { GatewayExchange, GatewayLog } from './gateway-log.ts';
import type { InspectorData, InspectorFilter, NotificationView } from './inspector-page.ts';
import type { DeliveryAttempt } from './notification-log.ts';
import type { Sandbox } from './sandbox.ts';

export interface NotificationsOfTrade {
  forTrade(tradeNo: string): Promise<NotificationRecord[]>;
}

export async function inspectorData(sandbox: Sandbox, requests: GatewayLog, outbox: NotificationsOfTrade, filter: InspectorFilter): Promise<InspectorData> {
  return {
    nowMs: sandbox.clock.now(),
    filter,
    faults: sandbox.faults.pending(),
    requests: requests.list((r) => requestMatches(r, filter)),
    notifications: await notificationViews(
      sandbox.notifications.list((a) => attemptMatches(a, filter)),
      outbox,
    ),
  };
}

function requestMatches(r: GatewayExchange, f: InspectorFilter): boolean {
  return (!f.appId || r.appId === f.appId) && (!f.trade || r.tradeRefs.includes(f.trade));
}

function attemptMatches(a: DeliveryAttempt, f: InspectorFilter): boolean {
  const { app_id, trade_no, out_trade_no } = a.fields;
  return (!f.appId || app_id === f.appId) && (!f.trade || trade_no === f.trade || out_trade_no === f.trade);
}

/** Attempts come newest first, so groups come in the order of their latest attempt. */
async function notificationViews(attempts: DeliveryAttempt[], outbox: NotificationsOfTrade): Promise<NotificationView[]> {
  const groups = new Map<string, DeliveryAttempt[]>();
  for (const attempt of attempts) {
    const id = attempt.fields.notify_id ?? '?';
    groups.set(id, [...(groups.get(id) ?? []), attempt]);
  }
  const records = new Map<string, NotificationRecord[]>();
  const views: NotificationView[] = [];
  for (const [notifyId, group] of groups) {
    const { trade_no: tradeNo = '', out_trade_no: outTradeNo = '', app_id: appId = '' } = group[0].fields;
    if (!records.has(tradeNo)) records.set(tradeNo, await outbox.forTrade(tradeNo));
    const record = records.get(tradeNo)?.find((r) => r.notifyId === notifyId);
    const status = record?.status ?? 'unknown';
    views.push({ notifyId, tradeNo, outTradeNo, appId, status, nextAtMs: status === 'pending' ? record?.nextAtMs : undefined, attempts: group });
  }
  return views;
}
