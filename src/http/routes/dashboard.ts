// Operator routes for the web app's console and dashboard: the merchant list, and one JSON of
// everything the operations dashboard draws. Per-minute activity comes from a bounded in-memory
// ring (engine/minute-activity.ts) fed by the engine's committed batches since this server started.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Formica } from '../../app.ts';
import { MinuteActivity } from '../../engine/minute-activity.ts';
import { ledgerBatchSize, ledgerCommitSeconds } from '../../engine/metrics.ts';
import type { LedgerReserves } from '../../modules/reconciliation/reserves.ts';
import { billerOf } from '../../modules/bills/directory.ts';
import { TransferCode } from '../../modules/books/chart.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { SHARE_CURRENCY } from '../../modules/fund/fund-ledger.ts';
import { DEFAULT_DAY_CONFIG, dayOf, dayWindow } from '../../modules/reconciliation/day.ts';
import { formatMinor } from '../../money/amount.ts';
import { currencyOfLedger } from '../../money/currency.ts';
import { ErrorOutput } from '../schemas/common.ts';
import { DashboardOutput, MerchantListOutput, MerchantListQuery } from '../schemas/dashboard.ts';

const tags = ['admin'];
const security = [{ operator: [] }];

const ACTIVITY_CODES = {
  payments: new Set<number>([TransferCode.tradePayment, TransferCode.tradeEscrowHold]),
  transfers: new Set<number>([TransferCode.walletTransfer]),
  packetsSent: new Set<number>([TransferCode.redPacketSend]),
  packetsOpened: new Set<number>([TransferCode.redPacketOpen]),
  packetsRefunded: new Set<number>([TransferCode.redPacketRefund]),
};

interface PromHistogram {
  get(): Promise<{ values: { value: number; metricName?: string; labels: Record<string, string | number | undefined> }[] }>;
}

/** A prom-client histogram as bucket bounds and per-bucket (not cumulative) counts. */
export async function histogramToWire(histogram: PromHistogram) {
  const { values } = await histogram.get();
  const buckets = values.filter((v) => v.metricName?.endsWith('_bucket'));
  const total = (suffix: string) => values.find((v) => v.metricName?.endsWith(suffix))?.value ?? 0;
  return {
    le: buckets.map((b) => String(b.labels.le)),
    counts: buckets.map((b, i) => b.value - (i === 0 ? 0 : buckets[i - 1].value)),
    count: total('_count'),
    sum: total('_sum'),
  };
}

function totalsToWire(l: LedgerReserves) {
  const currency = currencyOfLedger(l.ledger);
  const format = (minor: bigint) => (currency ? formatMinor(minor, currency) : minor.toString());
  return {
    currency: l.currency,
    wallets: format(l.walletsMinor),
    wallets_held: format(l.walletsHeldMinor),
    reserves: format(l.reservesMinor),
    open_suspense: format(l.suspenseMinor),
    difference: format(l.differenceMinor),
    balanced: l.balanced,
  };
}

/** Today's bill collections per biller and the insurance loss ratio, as the dashboard shows them. */
async function lifeServices(app: Formica) {
  const date = dayOf(app.clock.now(), DEFAULT_DAY_CONFIG);
  const { fromMs, toMs } = dayWindow(date, DEFAULT_DAY_CONFIG);
  const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);
  const collected = await app.bills.collections(fromMs, toMs);
  const report = await app.insurance.report(date);
  return {
    bills: {
      date,
      billers: collected.map((c) => ({
        charge_inst: c.chargeInst,
        name: billerOf(c.chargeInst)?.name ?? c.chargeInst,
        name_en: billerOf(c.chargeInst)?.nameEn ?? c.chargeInst,
        payments: c.payments,
        collections: cny(c.collectedMinor),
      })),
    },
    insurance: { date, premiums: cny(report.premiumsMinor), claims: cny(report.claimsMinor), loss_ratio: report.lossRatio },
  };
}

export function dashboardRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    const activity = new MinuteActivity(app.clock, ACTIVITY_CODES);
    const unsubscribe = app.engine.onTransfersCommitted(activity.record);
    server.addHook('onClose', async () => unsubscribe());

    server.get(
      '/v1/admin/merchants',
      {
        schema: {
          tags,
          security,
          summary: 'Merchants in registration order, paged',
          querystring: MerchantListQuery,
          response: { 200: MerchantListOutput, 400: ErrorOutput },
        },
      },
      async (request) => {
        const page = await app.merchants.list(request.query);
        return {
          merchants: page.merchants.map((m) => ({
            merchant_id: m.merchantId,
            app_id: m.appId,
            name: m.name,
            fee_bps: m.feeBps,
            notify_url: m.notifyUrl,
            created_at: m.createdAtMs,
          })),
          next: page.next,
        };
      },
    );

    server.get(
      '/v1/admin/dashboard',
      {
        schema: {
          tags,
          security,
          summary: 'The operations dashboard: activity per minute (payments, transfers, red packets), channel success rates, ledger batches, totals, funds',
          response: { 200: DashboardOutput },
        },
      },
      async () => {
        const series = activity.series();
        const reserves = await app.reconciliation.checkReserves();
        return {
          generated_at: app.clock.now(),
          activity: {
            minute_starts: series.minuteStartsMs,
            payments: series.counts.payments,
            transfers: series.counts.transfers,
            packets_sent: series.counts.packetsSent,
            packets_opened: series.counts.packetsOpened,
            packets_refunded: series.counts.packetsRefunded,
            counting_since: series.countingSinceMs,
          },
          channels: app.router.stats().map((s) => ({ bank: s.bank, success_rate: s.successRate, samples: s.samples, fee_bps: s.feeBps })),
          ledger: { batch_events: await histogramToWire(ledgerBatchSize), commit_seconds: await histogramToWire(ledgerCommitSeconds) },
          totals: reserves.ledgers.map(totalsToWire),
          ...(await lifeServices(app)),
          funds: (await app.fund.figures()).map((f) => ({
            fund_id: f.fundId,
            name: f.name,
            aum: formatMinor(f.aumMinor, PLATFORM_CURRENCY),
            income_date: f.incomeDate || null,
            income_paid: formatMinor(f.incomePaidMinor, SHARE_CURRENCY),
            holders_paid: Number(f.holdersPaid),
          })),
        };
      },
    );
  };
}
