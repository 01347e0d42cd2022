// The merchant protocol's wording of trade notifications. Trade queues neutral events (minor units,
// epoch ms, no protocol field names); what merchants receive is byte for byte what they received
// when trade stored worded fields: the expected bodies below were captured from that version for
// the same trades. A notification queued before the upgrade is sent as it was worded.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { openSql, type SqlDatabase } from '../../store/sql.ts';
import { NotificationOutbox } from '../trade/trade-notifications.ts';
import { TRADE_MIGRATIONS, TradeStore } from '../trade/trade-store.ts';
import { storesUnderTest, type TradeFixture, tradeFixture } from '../trade/trade-test-support.ts';
import type { NotificationEvent, NotificationRecord } from '../trade/trade.ts';
import { notificationEncoder, notificationFields } from './notification-wire.ts';

const encode = notificationEncoder((fields) => ({ ...fields, sign_type: 'RSA2', sign: 'test-signature' }));
const CHINA_TIME = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

const pending = (notifyId: string, content: NotificationRecord['content']): NotificationRecord => ({
  notifyId,
  tradeNo: 'any',
  notifyUrl: 'http://127.0.0.1:1/notify',
  status: 'pending',
  attempts: 0,
  lastError: '',
  nextAtMs: 0,
  content,
});

describe('notification wire', () => {
  const refunded: NotificationEvent = {
    atMs: 1_764_660_500_999,
    tradeNo: '2026120222001400010000000001',
    outTradeNo: 'order-7',
    merchantId: 'mch_golden',
    appId: 'app_golden',
    status: 'TRADE_SUCCESS',
    subject: '绿茶 Green tea',
    body: 'two cups & one pot',
    currency: 'CNY',
    totalMinor: 123456n,
    paidMinor: 123456n,
    refundedMinor: 5n,
    buyerUserId: 'usr_buyer',
    buyerLogonId: '139****5678',
    passbackParams: 'a=b c',
    createdAtMs: 1_764_659_000_123,
    paidAtMs: 1_764_660_000_000,
    refundAtMs: 1_764_660_400_000,
  };

  it('words an event in yuan and China time, in the protocol order, leaving out what is empty', () => {
    expect(encode(pending('ntf_01', { kind: 'event', event: refunded }))).toBe(
      'notify_type=trade_status_sync&notify_id=ntf_01&notify_time=2025-12-02+15%3A28%3A20&charset=utf-8&version=1.0&app_id=app_golden&auth_app_id=app_golden' +
        '&trade_no=2026120222001400010000000001&out_trade_no=order-7&seller_id=mch_golden&buyer_id=usr_buyer&buyer_logon_id=139****5678' +
        '&trade_status=TRADE_SUCCESS&subject=%E7%BB%BF%E8%8C%B6+Green+tea&body=two+cups+%26+one+pot&total_amount=1234.56&receipt_amount=1234.56' +
        '&invoice_amount=1234.56&buyer_pay_amount=1234.56&refund_fee=0.05&passback_params=a%3Db+c&gmt_create=2025-12-02+15%3A03%3A20' +
        '&gmt_payment=2025-12-02+15%3A20%3A00&gmt_refund=2025-12-02+15%3A26%3A40&sign_type=RSA2&sign=test-signature',
    );
    const closed: NotificationEvent = {
      atMs: 1_764_665_000_001,
      tradeNo: refunded.tradeNo,
      outTradeNo: refunded.outTradeNo,
      merchantId: refunded.merchantId,
      status: 'TRADE_CLOSED',
      subject: refunded.subject,
      body: '',
      currency: 'CNY',
      totalMinor: refunded.totalMinor,
      refundedMinor: 0n,
      createdAtMs: refunded.createdAtMs,
      closedAtMs: 1_764_665_000_000,
    };
    expect(encode(pending('ntf_02', { kind: 'event', event: closed }))).toBe(
      'notify_type=trade_status_sync&notify_id=ntf_02&notify_time=2025-12-02+16%3A43%3A20&charset=utf-8&version=1.0&trade_no=2026120222001400010000000001' +
        '&out_trade_no=order-7&seller_id=mch_golden&trade_status=TRADE_CLOSED&subject=%E7%BB%BF%E8%8C%B6+Green+tea&total_amount=1234.56' +
        '&gmt_create=2025-12-02+15%3A03%3A20&gmt_close=2025-12-02+16%3A43%3A20&sign_type=RSA2&sign=test-signature',
    );
  });

  it('gives back the fields of a notification worded before events were neutral as they are', () => {
    const fields = { notify_type: 'trade_status_sync', notify_id: 'ntf_old', trade_no: 't', total_amount: '1.00' };
    expect(notificationFields(pending('ntf_old', { kind: 'worded', fields }))).toEqual(fields);
    expect(encode(pending('ntf_old', { kind: 'worded', fields }))).toBe(
      'notify_type=trade_status_sync&notify_id=ntf_old&trade_no=t&total_amount=1.00&sign_type=RSA2&sign=test-signature',
    );
  });
});

describe.each(storesUnderTest())('notifications on the wire (%s)', (store) => {
  let f: TradeFixture;
  const bodies: string[] = [];

  beforeAll(async () => {
    f = await tradeFixture(
      store,
      async (_url, body) => {
        bodies.push(body);
        return 'success';
      },
      encode,
    );
  });
  afterAll(() => f?.close());

  it('queues neutral events and sends merchants byte for byte what they got before', async () => {
    const m = await f.newMerchant(60, 'http://127.0.0.1:1/notify');
    const buyer = await f.newBuyer('50.00');
    const input = { outTradeNo: 'golden-1', subject: '绿茶 Green tea', body: 'two cups', totalAmountMinor: 1234n, passbackParams: 'a=b c' };
    const t = await f.trades.create(m.merchantId, input);
    f.clock.advance(61_000);
    await f.trades.payWithWallet(buyer, t.tradeNo, 'p');
    f.clock.advance(3_600_000);
    await f.trades.refund(m.merchantId, { tradeNo: t.tradeNo }, { refundAmountMinor: 34n, outRequestNo: 'r1' });
    const c = await f.trades.create(m.merchantId, { outTradeNo: 'golden-2', subject: 'closing', totalAmountMinor: 100n });
    f.clock.advance(1_000);
    await f.trades.close(m.merchantId, { tradeNo: c.tradeNo });

    const rows = await f.app.sql.all<{ event: string | null; wire_fields: string | null }>(
      'SELECT event, wire_fields FROM trade_notifications WHERE merchant_id = ? ORDER BY created_at, notify_id',
      [m.merchantId],
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.wire_fields).toBeNull();
      expect(row.event).not.toMatch(CHINA_TIME);
      expect(row.event).not.toMatch(/ACQ|trade_status_sync|total_amount|gmt_|notify_|12\.34|0\.34/);
    }
    expect(JSON.parse(rows[1].event ?? '')).toMatchObject({ totalMinor: '1234', paidMinor: '1234', refundedMinor: '34', status: 'TRADE_SUCCESS' });

    const [paid, refund] = await f.trades.notifications.forTrade(t.tradeNo);
    const [closed] = await f.trades.notifications.forTrade(c.tradeNo);
    const logon = paid.content.kind === 'event' ? paid.content.event.buyerLogonId : undefined;
    expect(logon).toMatch(/^138\*\*\*\*\d{4}$/);
    const party = `app_id=${m.appId}&auth_app_id=${m.appId}`;
    const buyerPart = `seller_id=${m.merchantId}&buyer_id=${buyer}&buyer_logon_id=${logon}&trade_status=TRADE_SUCCESS`;
    const goods = 'subject=%E7%BB%BF%E8%8C%B6+Green+tea&body=two+cups&total_amount=12.34&receipt_amount=12.34&invoice_amount=12.34&buyer_pay_amount=12.34';
    const expected = [
      `notify_type=trade_status_sync&notify_id=${paid.notifyId}&notify_time=2026-01-01+08%3A01%3A01&charset=utf-8&version=1.0&${party}` +
        `&trade_no=${t.tradeNo}&out_trade_no=golden-1&${buyerPart}&${goods}&passback_params=a%3Db+c` +
        '&gmt_create=2026-01-01+08%3A00%3A00&gmt_payment=2026-01-01+08%3A01%3A01&sign_type=RSA2&sign=test-signature',
      `notify_type=trade_status_sync&notify_id=${refund.notifyId}&notify_time=2026-01-01+09%3A01%3A01&charset=utf-8&version=1.0&${party}` +
        `&trade_no=${t.tradeNo}&out_trade_no=golden-1&${buyerPart}&${goods}&refund_fee=0.34&passback_params=a%3Db+c` +
        '&gmt_create=2026-01-01+08%3A00%3A00&gmt_payment=2026-01-01+08%3A01%3A01&gmt_refund=2026-01-01+09%3A01%3A01&sign_type=RSA2&sign=test-signature',
      `notify_type=trade_status_sync&notify_id=${closed.notifyId}&notify_time=2026-01-01+09%3A01%3A02&charset=utf-8&version=1.0&${party}` +
        `&trade_no=${c.tradeNo}&out_trade_no=golden-2&seller_id=${m.merchantId}&trade_status=TRADE_CLOSED&subject=closing&total_amount=1.00` +
        '&gmt_create=2026-01-01+09%3A01%3A01&gmt_close=2026-01-01+09%3A01%3A02&sign_type=RSA2&sign=test-signature',
    ];
    expect(await f.trades.sendNotifications()).toBe(3);
    // Due notifications are sent concurrently, so they arrive in any order.
    expect([...bodies].sort()).toEqual([...expected].sort());
  });

  it('sends a notification queued before the upgrade exactly as it was worded', async () => {
    const upgraded = await databaseAtTradeVersion4(store);
    try {
      const worded = { notify_type: 'trade_status_sync', notify_id: 'ntf_old', notify_time: '2025-12-02 16:43:20', trade_no: 't_old', total_amount: '1234.56' };
      await upgraded.db.run(
        `INSERT INTO trade_notifications (notify_id, merchant_id, trade_no, notify_url, fields, status, attempts, next_at, created_at)
         VALUES ('ntf_old', 'mch_old', 't_old', 'http://127.0.0.1:1/notify', ?, 'pending', 2, 5, 5)`,
        [JSON.stringify(worded)],
      );
      await upgraded.db.migrate('trade', TRADE_MIGRATIONS);
      const tradeStore = new TradeStore(upgraded.db);
      const [record] = await tradeStore.notificationsOf('t_old');
      expect(record).toMatchObject({ notifyId: 'ntf_old', status: 'pending', attempts: 2, content: { kind: 'worded', fields: worded } });
      const sent: string[] = [];
      const deliver = async (_url: string, body: string) => {
        sent.push(body);
        return 'success';
      };
      await new NotificationOutbox(tradeStore, new ManualClock(10), encode, deliver).sendDue();
      expect(sent).toEqual([
        'notify_type=trade_status_sync&notify_id=ntf_old&notify_time=2025-12-02+16%3A43%3A20&trade_no=t_old&total_amount=1234.56&sign_type=RSA2&sign=test-signature',
      ]);
    } finally {
      await upgraded.close();
    }
  });
});

/** A fresh database whose trade tables are as version 4 left them (notifications stored worded). */
async function databaseAtTradeVersion4(store: 'sqlite' | 'postgres'): Promise<{ db: SqlDatabase; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-wire-'));
  const schema = store === 'postgres' ? `w_${randomBytes(6).toString('hex')}` : undefined;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(sql);
    await client.end();
  };
  if (schema) await admin(`CREATE SCHEMA ${schema}`);
  const db = await openSql({ dataDir, databaseUrl: schema ? process.env.DATABASE_URL : undefined, schema });
  await db.migrate('trade', { sqlite: TRADE_MIGRATIONS.sqlite.slice(0, 4), postgres: TRADE_MIGRATIONS.postgres.slice(0, 4) });
  return {
    db,
    async close() {
      await db.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (schema) await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}
