// Merchant routes. Operator (behind the operator token): register a merchant, rotate its key.
// Merchant (signed like the open API, version 3 authorization header): failed notifications, a
// resend, the daily bill, and rotating its own key. The merchant routes keep the raw body, because the signature covers it.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { BILL_FILES_PATH, BillLinks } from '../../modules/merchant/bill-links.ts';
import { buildBill, chinaDay } from '../../modules/merchant/bills.ts';
import type { Merchant } from '../../modules/merchant/merchant-apps.ts';
import { authenticateMerchant, signedHeaders } from '../../modules/merchant/merchant-auth.ts';
import { MerchantError } from '../../modules/merchant/merchant-errors.ts';
import { notificationFields } from '../../modules/merchant/notification-wire.ts';
import type { NotificationRecord } from '../../modules/trade/trade.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { BillLinkQuery, BillParams, CreateMerchantBody, MerchantOutput, MerchantParams, NotificationParams, RotateKeyBody } from '../schemas/merchants.ts';

const adminTags = ['admin'];
const operator = [{ operator: [] }];
const merchantTags = ['merchant'];
const merchantSecurity = [{ merchant: [] }];

export function merchantToWire(app: Formica, m: Merchant) {
  return {
    merchant_id: m.merchantId,
    app_id: m.appId,
    name: m.name,
    fee_bps: m.feeBps,
    notify_url: m.notifyUrl,
    platform_public_key: app.platformKeys.publicPem,
  };
}

export function merchantAdminRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/admin/merchants',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: 'Register a merchant app (opens its CNY settlement account)',
          body: CreateMerchantBody,
          response: { 201: MerchantOutput, 400: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const ownerUserId = b.owner_phone === undefined ? undefined : await app.merchants.staff.userByPhone(b.owner_phone);
        const merchant = await app.merchants.create({ name: b.name, publicKeyPem: b.public_key, feeBps: b.fee_bps, notifyUrl: b.notify_url, ownerUserId });
        reply.status(201);
        return merchantToWire(app, merchant);
      },
    );

    server.post(
      '/v1/admin/merchants/:id/keys',
      {
        schema: {
          tags: adminTags,
          security: operator,
          summary: "Replace a merchant's public key (the old one stops working at once)",
          params: MerchantParams,
          body: RotateKeyBody,
          response: { 200: MerchantOutput, 400: ErrorOutput, 404: ErrorOutput },
        },
      },
      async (request) => merchantToWire(app, await app.merchants.rotateKey(request.params.id, request.body.public_key)),
    );
  };
}

function authenticate(app: Formica, request: FastifyRequest): Promise<Merchant> {
  const header = request.headers.authorization;
  const body = typeof request.body === 'string' ? request.body : '';
  return authenticateMerchant(app.merchants, app.clock, {
    authorization: typeof header === 'string' ? header : undefined,
    parts: { httpMethod: request.method, pathWithQuery: request.url, body },
  });
}

/** Signed like the open API's answers, so the SDK's curl accepts JSON ones. */
function sendSigned(app: Formica, reply: FastifyReply, type: string, text: string): FastifyReply {
  return reply
    .headers({ ...signedHeaders(text, app.clock, randomUUID(), app.platformKeys.privateKeyPem()) })
    .type(type)
    .send(text);
}

/** The outbox's record as merchants read it; the fields, worded now, are what was (or will be) posted, before signing. */
export function notificationToWire(n: NotificationRecord) {
  return {
    notify_id: n.notifyId,
    trade_no: n.tradeNo,
    notify_url: n.notifyUrl,
    status: n.status,
    attempts: n.attempts,
    last_error: n.lastError,
    fields: notificationFields(n),
  };
}

function parseJson(body: unknown): unknown {
  try {
    return typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    return undefined;
  }
}

const jsonText = (value: unknown) => JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v));

/** A closed day's bill (Asia/Shanghai) as CSV, for the signed merchant route and the console alike. */
export async function dailyBill(app: Formica, merchant: Merchant, date: string): Promise<{ csv: string; filename: string }> {
  const day = chinaDay(date);
  if (!day) throw new MerchantError('bill_date_invalid', 'date must be a calendar day written yyyy-MM-dd');
  if (day.toMs > app.clock.now()) throw new MerchantError('bill_not_ready', 'a bill is ready once its day has closed (Asia/Shanghai)');
  const bill = buildBill(await app.trades.activity(merchant.merchantId, day.fromMs, day.toMs), day, merchant.feeBps);
  return { csv: bill.csv, filename: `bill-${merchant.appId}-${date}.csv` };
}

export function merchantRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.removeAllContentTypeParsers();
    server.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));

    server.get(
      '/v1/merchant/notifications/failed',
      { schema: { tags: merchantTags, security: merchantSecurity, summary: 'Notifications that gave up after every retry' } },
      async (request, reply) => {
        const merchant = await authenticate(app, request);
        const failed = await app.trades.listFailedNotifications(merchant.merchantId);
        return sendSigned(app, reply, 'application/json; charset=utf-8', jsonText({ notifications: failed.map(notificationToWire) }));
      },
    );

    server.post(
      '/v1/merchant/notifications/:notify_id/resend',
      { schema: { tags: merchantTags, security: merchantSecurity, summary: 'Send a failed notification again now', params: NotificationParams } },
      async (request, reply) => {
        const merchant = await authenticate(app, request);
        const result = await app.trades.resendNotification(merchant.merchantId, request.params.notify_id);
        return sendSigned(app, reply, 'application/json; charset=utf-8', jsonText(notificationToWire(result)));
      },
    );

    server.post(
      '/v1/merchant/keys',
      {
        schema: {
          tags: merchantTags,
          security: merchantSecurity,
          summary: 'Replace your own public key, signing with the current one (it stops working at once)',
        },
      },
      async (request, reply) => {
        const merchant = await authenticate(app, request);
        const parsed = RotateKeyBody.safeParse(parseJson(request.body));
        if (!parsed.success) throw new MerchantError('public_key_invalid', 'the body must be {"public_key": "<RSA public key, PEM>"}');
        const rotated = await app.merchants.rotateKey(merchant.merchantId, parsed.data.public_key);
        return sendSigned(app, reply, 'application/json; charset=utf-8', jsonText(merchantToWire(app, rotated)));
      },
    );

    const billLinks = new BillLinks(app.platformKeys, app.clock);
    server.get(
      BILL_FILES_PATH,
      {
        schema: {
          tags: merchantTags,
          summary: 'A bill by the link alipay.data.dataservice.bill.downloadurl.query gave (signed, expiring; no other credential)',
          querystring: BillLinkQuery,
        },
      },
      async (request, reply) => {
        const link = billLinks.verify(request.query);
        const merchant = link && (await app.merchants.byAppId(link.appId));
        if (!link || !merchant) throw new MerchantError('merchant_unauthorized', 'this bill link is not valid, or has expired: ask for a new one');
        const bill = await dailyBill(app, merchant, link.date);
        return reply.header('content-disposition', `attachment; filename="${bill.filename}"`).type('text/csv; charset=utf-8').send(bill.csv);
      },
    );

    server.get(
      '/v1/merchant/bills/:date',
      {
        schema: {
          tags: merchantTags,
          security: merchantSecurity,
          summary: "A closed day's trades and refunds (Asia/Shanghai), CSV with totals",
          params: BillParams,
        },
      },
      async (request, reply) => {
        const merchant = await authenticate(app, request);
        const bill = await dailyBill(app, merchant, request.params.date);
        reply.header('content-disposition', `attachment; filename="${bill.filename}"`);
        return sendSigned(app, reply, 'text/csv; charset=utf-8', bill.csv);
      },
    );
  };
}
