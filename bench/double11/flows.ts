// The four flows of the Double-11 mix, each a user's or a merchant's real requests in order. A flow
// resolves with what it acknowledged, or throws a FlowFailure naming the step that went wrong.
import { signedV3 } from '../http-trade-setup.ts';
import type { JsonClient, Reply } from './client.ts';
import type { Acknowledged, Flow, MerchantApp, World } from './plan.ts';

export class FlowFailure extends Error {}

/** Each flow adds what the platform acknowledged to the shared record. */
export type FlowRun = (ack: Acknowledged) => Promise<void>;

export interface FlowContext {
  readonly client: JsonClient;
  readonly world: World;
  readonly merchant: () => MerchantApp;
  readonly buyer: () => string;
  readonly amount: () => string;
}

function expect(step: string, reply: Reply, ok: (body: Record<string, unknown>) => boolean): Record<string, unknown> {
  if (reply.status >= 200 && reply.status < 300 && ok(reply.body)) return reply.body;
  throw new FlowFailure(`${step}: ${reply.status} ${reply.text.slice(0, 200)}`);
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${process.pid}-${++sequence}`;

function merchantCall(ctx: FlowContext, merchant: MerchantApp, route: string, fields: Record<string, unknown>): Promise<Reply> {
  const signed = signedV3(merchant.appId, merchant.privateKey, route, JSON.stringify(fields));
  return ctx.client.request('POST', route, signed.headers, signed.body);
}

/** The buyer shows a one-time paycode and the merchant charges it at the till. */
async function instant(ctx: FlowContext, ack: Acknowledged): Promise<void> {
  const token = ctx.buyer();
  const code = expect('paycode', await ctx.client.request('GET', '/v1/wallet/paycode', bearer(token)), (b) => typeof b.auth_code === 'string');
  const fields = { out_trade_no: nextId('d11'), scene: 'bar_code', auth_code: code.auth_code, subject: 'Double 11', total_amount: ctx.amount() };
  const paid = expect('trade/pay', await merchantCall(ctx, ctx.merchant(), '/v3/alipay/trade/pay', fields), (b) => b.trade_status === 'TRADE_SUCCESS');
  ack.tradeNos.push(String(paid.trade_no));
}

/** A marketplace order: created by the seller, paid into escrow, shipped, and confirmed by the buyer. */
async function escrow(ctx: FlowContext, ack: Acknowledged): Promise<void> {
  const token = ctx.buyer();
  const merchant = ctx.merchant();
  const order = { out_trade_no: nextId('d11e'), subject: 'Double 11 order', total_amount: ctx.amount(), product_code: 'ESCROW_TRADE_PAY' };
  const created = expect('trade/create', await merchantCall(ctx, merchant, '/v3/alipay/trade/create', order), (b) => typeof b.trade_no === 'string');
  const tradeNo = String(created.trade_no);
  const path = `/v1/trades/${encodeURIComponent(tradeNo)}`;
  const payBody = JSON.stringify({ request_id: nextId('pay') });
  expect('pay', await ctx.client.request('POST', `${path}/pay`, bearer(token), payBody), (b) => b.trade_status === 'WAIT_SELLER_SEND_GOODS');
  const shipped = await merchantCall(ctx, merchant, '/v3/formica/trade/ship', { trade_no: tradeNo, logistics_type: 'EXPRESS' });
  expect('ship', shipped, (b) => b.trade_status === 'WAIT_BUYER_CONFIRM_GOODS');
  expect('confirm', await ctx.client.request('POST', `${path}/confirm`, bearer(token), '{}'), (b) => b.trade_status === 'TRADE_SUCCESS');
  ack.tradeNos.push(tradeNo);
}

async function fund(ctx: FlowContext, ack: Acknowledged): Promise<void> {
  const body = JSON.stringify({ fund_id: ctx.world.fundId, amount: '1.00', currency: 'CNY', request_id: nextId('sub') });
  const sub = expect('subscribe', await ctx.client.request('POST', '/v1/fund/subscriptions', bearer(ctx.buyer()), body), (b) => b.status === 'pending');
  ack.subscriptionIds.push(String(sub.subscription_id));
}

/**
 * Opens are dealt out in order: open k is share k % shares of packet k / shares, by a member no
 * earlier open of that packet used, so every open is a first open and packets fill up one by one.
 */
function packetOpener(ctx: FlowContext): () => FlowRun {
  let dealt = 0;
  const { packetIds, packetShares, buyerTokens } = ctx.world;
  return () => {
    const k = dealt++;
    const packet = Math.floor(k / packetShares);
    if (packet >= packetIds.length) return async () => Promise.reject(new FlowFailure('no packet left to open (setup made too few)'));
    const opener = buyerTokens[(packet * 37 + (k % packetShares)) % buyerTokens.length];
    const packetId = packetIds[packet];
    return async (ack) => {
      const reply = await ctx.client.request('POST', `/v1/red-packets/${encodeURIComponent(packetId)}/open`, bearer(opener), '{}');
      const opened = expect('open', reply, (b) => typeof b.amount === 'string');
      ack.opens.push({ packetId, amount: String(opened.amount) });
    };
  };
}

/** For each kind, a maker of the next flow to run. */
export function flowMakers(ctx: FlowContext): Record<Flow, () => FlowRun> {
  return {
    instant: () => (ack) => instant(ctx, ack),
    escrow: () => (ack) => escrow(ctx, ack),
    packet: packetOpener(ctx),
    fund: () => (ack) => fund(ctx, ack),
  };
}
