// Operator routes for reconciliation: run a closed statement day, read its report (items and the
// reserves check), and clear an open suspense entry. Amounts are decimal strings; a suspense
// amount is signed (positive: the bank holds money no wallet owns; negative: it paid money out).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Formica } from '../../app.ts';
import type { ReconciliationReport, ReconItem } from '../../modules/reconciliation/recon-types.ts';
import type { LedgerReserves } from '../../modules/reconciliation/reserves.ts';
import { formatMinor } from '../../money/amount.ts';
import { currencyOfLedger } from '../../money/currency.ts';
import { PLATFORM_CURRENCY } from '../../modules/books/platform-currency.ts';
import { ErrorOutput } from '../schemas/common.ts';

const tags = ['reconciliation'];
const security = [{ operator: [] }];
// The format only; whether it is a real, closed day is the service's call (400/409 with a code).
const DateText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .meta({ example: '2026-01-01' });
const Bank = z.string().regex(/^(biller:)?[A-Z0-9_]{2,32}$/, 'must be a bank code, or biller:<charge_inst>');
const LineKey = z.string().regex(/^[A-Za-z0-9_.:#-]{1,80}$/, 'must be a statement request id');
const UserId = z.string().regex(/^[A-Za-z0-9_]{1,64}$/, 'must be a user id');

const RunBody = z.strictObject({ date: DateText, banks: z.array(Bank).max(50).optional() });
const DateParams = z.strictObject({ date: DateText });
const ResolveBody = z.strictObject({ bank: Bank, request_id: LineKey, action: z.enum(['topup', 'withdrawal', 'refund']), user_id: UserId.optional() });

const ItemOutput = z.object({
  bank: z.string(),
  date: z.string(),
  request_id: z.string(),
  kind: z.string(),
  state: z.string(),
  op_id: z.string(),
  line_type: z.string(),
  bank_amount: z.string().nullable(),
  formica_amount: z.string().nullable(),
  suspense_amount: z.string(),
  transfer_id: z.string(),
  alert: z.boolean(),
  note: z.string(),
  resolution: z.string(),
  resolution_transfer_id: z.string(),
});
const LedgerOutput = z.object({
  ledger: z.number(),
  currency: z.string(),
  reserves: z.string(),
  suspense: z.string(),
  wallets: z.string(),
  wallets_held: z.string(),
  other_liabilities: z.string(),
  other_by_code: z.record(z.string(), z.string()),
  platform: z.string(),
  difference: z.string(),
  balanced: z.boolean(),
});
const ReportOutput = z.object({
  date: z.string(),
  unresolved: z.number(),
  banks: z.array(z.object({ bank: z.string(), status: z.string(), statement_lines: z.number(), note: z.string(), items: z.array(ItemOutput) })),
  reserves: z.object({ balanced: z.boolean(), ledgers: z.array(LedgerOutput) }),
});
const errors = { 400: ErrorOutput, 404: ErrorOutput, 409: ErrorOutput, 422: ErrorOutput };

const cny = (minor: bigint) => formatMinor(minor, PLATFORM_CURRENCY);

function itemToWire(i: ReconItem) {
  return {
    bank: i.bank,
    date: i.date,
    request_id: i.lineKey,
    kind: i.kind,
    state: i.state,
    op_id: i.opId,
    line_type: i.lineType,
    bank_amount: i.bankAmountMinor === null ? null : cny(i.bankAmountMinor),
    formica_amount: i.formicaAmountMinor === null ? null : cny(i.formicaAmountMinor),
    suspense_amount: cny(i.suspenseMinor),
    transfer_id: i.transferId,
    alert: i.alert,
    note: i.note,
    resolution: i.resolution,
    resolution_transfer_id: i.resolutionTransferId,
  };
}

function ledgerToWire(l: LedgerReserves) {
  const currency = currencyOfLedger(l.ledger);
  const money = (minor: bigint) => (currency ? formatMinor(minor, currency) : minor.toString());
  return {
    ledger: l.ledger,
    currency: l.currency,
    reserves: money(l.reservesMinor),
    suspense: money(l.suspenseMinor),
    wallets: money(l.walletsMinor),
    wallets_held: money(l.walletsHeldMinor),
    other_liabilities: money(l.otherLiabilitiesMinor),
    other_by_code: Object.fromEntries(Object.entries(l.otherByCode).map(([code, v]) => [code, money(v)])),
    platform: money(l.platformMinor),
    difference: money(l.differenceMinor),
    balanced: l.balanced,
  };
}

export function reportToWire(r: ReconciliationReport) {
  return {
    date: r.date,
    unresolved: r.unresolved,
    banks: r.banks.map((b) => ({ bank: b.bank, status: b.status, statement_lines: b.statementLines, note: b.note, items: b.items.map(itemToWire) })),
    reserves: { balanced: r.reserves.balanced, ledgers: r.reserves.ledgers.map(ledgerToWire) },
  };
}

export function reconciliationRoutes(app: Formica): FastifyPluginAsyncZod {
  return async (server) => {
    server.post(
      '/v1/admin/reconciliations',
      {
        schema: {
          tags,
          security,
          summary: "Reconcile every bank's statement of a closed day (idempotent)",
          body: RunBody,
          response: { 200: ReportOutput, ...errors },
        },
      },
      async (request) => reportToWire(await app.reconciliation.reconcile(request.body.date, { banks: request.body.banks })),
    );

    server.get(
      '/v1/admin/reconciliations/:date',
      {
        schema: {
          tags,
          security,
          summary: "A day's reconciliation report and the reserves check",
          params: DateParams,
          response: { 200: ReportOutput, ...errors },
        },
      },
      async (request) => reportToWire(await app.reconciliation.report(request.params.date)),
    );

    server.post(
      '/v1/admin/reconciliations/:date/resolutions',
      {
        schema: {
          tags,
          security,
          summary: 'Clear an open suspense entry: the missing top-up or withdrawal of a wallet, or a refund through the bank',
          params: DateParams,
          body: ResolveBody,
          response: { 200: ItemOutput, ...errors },
        },
      },
      async (request) => {
        const b = request.body;
        const item = await app.reconciliation.resolve({ bank: b.bank, date: request.params.date, lineKey: b.request_id, action: b.action, userId: b.user_id });
        return itemToWire(item);
      },
    );
  };
}
