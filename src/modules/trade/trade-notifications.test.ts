// Notifications to a real local HTTP receiver: written with the state change as neutral events,
// encoded at send (here as the event's own fields; the merchant module's wording is tested there),
// retried on the public schedule (driven by the ManualClock) until the exact answer `success`,
// failed after 8 sends, listed for the merchant and sent again on request.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS } from './trade-notifications.ts';
import { storesUnderTest, type TradeFixture, tradeFixture } from './trade-test-support.ts';

describe.each(storesUnderTest())('trade notifications (%s)', (store) => {
  let f: TradeFixture;
  let receiver: http.Server;
  let base = '';
  const received: Record<string, string>[] = [];
  let failFirst = 2;

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(Object.fromEntries(new URLSearchParams(body)));
        if (req.url === '/always-fail') return res.end('fail');
        res.end(failFirst-- > 0 ? 'not yet' : 'success');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    f = await tradeFixture(store);
  });
  afterAll(async () => {
    await f?.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('retries on the schedule until the merchant answers success', async () => {
    const m = await f.newMerchant(60, `${base}/notify`);
    const buyer = await f.newBuyer('10.00');
    const created = await f.trades.create(m.merchantId, { outTradeNo: 'n-1', subject: 'x', totalAmountMinor: 500n });
    expect(await f.trades.sendNotifications()).toBe(0); // WAIT_BUYER_PAY is not notified
    expect(received).toHaveLength(0);
    await f.trades.payWithWallet(buyer, created.tradeNo, 'p');
    expect(await f.trades.sendNotifications()).toBe(0);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      tradeNo: created.tradeNo,
      outTradeNo: 'n-1',
      merchantId: m.merchantId,
      appId: m.appId,
      status: 'TRADE_SUCCESS',
      currency: 'CNY',
      totalMinor: '500',
      paidMinor: '500',
      refundedMinor: '0',
      atMs: String(f.clock.now()),
      paidAtMs: String(f.clock.now()),
    });
    expect(received[0].notifyId).toMatch(/^ntf_/);
    expect(received[0]).not.toHaveProperty('refundAtMs');
    f.clock.advance(RETRY_DELAYS_MS[0] - 1);
    await f.trades.sendNotifications();
    expect(received).toHaveLength(1);
    f.clock.advance(1);
    await f.trades.sendNotifications();
    expect(received).toHaveLength(2);
    f.clock.advance(RETRY_DELAYS_MS[1]);
    expect(await f.trades.sendNotifications()).toBe(1);
    expect(received).toHaveLength(3);
    f.clock.advance(24 * 3600_000);
    await f.trades.sendNotifications();
    expect(received).toHaveLength(3); // delivered: never again
    const [record] = await f.trades.notifications.forTrade(created.tradeNo);
    expect(record).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('marks a notification failed after 8 sends, lists it, and sends it again on request', async () => {
    const m = await f.newMerchant(0, `${base}/always-fail`);
    const buyer = await f.newBuyer('10.00');
    const t = await f.trades.create(m.merchantId, { outTradeNo: 'n-2', subject: 'x', totalAmountMinor: 100n });
    await f.trades.payWithWallet(buyer, t.tradeNo, 'p');
    await f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 40n, outRequestNo: 'r' });
    const before = received.length;
    await f.trades.sendNotifications();
    for (const delay of RETRY_DELAYS_MS) {
      f.clock.advance(delay);
      await f.trades.sendNotifications();
    }
    f.clock.advance(48 * 3600_000);
    await f.trades.sendNotifications();
    expect(received.length - before).toBe(16); // two notifications, 8 sends each
    // Due notifications are sent concurrently, so the two arrive in either order.
    const refundNote = received.slice(before).find((r) => r.refundAtMs !== undefined)!;
    expect(refundNote).toMatchObject({ status: 'TRADE_SUCCESS', refundedMinor: '40', paidMinor: '100' });
    const failed = await f.trades.listFailedNotifications(m.merchantId);
    expect(failed).toHaveLength(2);
    expect(failed.every((n) => n.status === 'failed' && n.attempts === 8)).toBe(true);
    const again = await f.trades.resendNotification(m.merchantId, failed[0].notifyId);
    expect(again.status).toBe('pending');
    await f.trades.sendNotifications();
    expect(received.length - before).toBe(17);
    await expect(f.trades.resendNotification('mch_other', failed[0].notifyId)).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_EXIST' });
    expect(await f.audit()).toEqual([]);
  });
});
