// A line of the activity as people keep it: a one-page PDF receipt, and the lines of a month or a
// kind as CSV. Times are ISO 8601 in China time with the offset; amounts are signed decimal strings.
// The PDF uses the standard fonts, which carry no Chinese glyphs: a name written in Chinese is left
// out of it and the party is named by what is left (a masked phone, a bank and card number).
import { stringify } from 'csv-stringify/sync';
import { findCurrency } from '../../money/currency.ts';
import { formatMinor } from '../../money/amount.ts';
import { receiptDocument } from '../bills/receipt-pdf.ts';
import type { ActivityItem, Counterparty } from './activity.ts';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;
/** What the PDF's standard fonts can draw (Latin-1). */
const DRAWABLE = /^[\x20-\xff]*$/;

/** "2026-03-01T16:30:00.000+08:00": the instant in China time, with its offset. */
export function chinaIso(ms: number): string {
  return `${new Date(ms + CHINA_OFFSET_MS).toISOString().slice(0, -1)}+08:00`;
}

/** The amount with its sign: "-12.34" out of the wallet, "12.34" into it. */
export function signedAmount(item: ActivityItem): string {
  const currency = findCurrency(item.currency);
  const amount = currency ? formatMinor(item.amountMinor, currency) : item.amountMinor.toString();
  return item.direction === 'out' ? `-${amount}` : amount;
}

const KIND_EN: Record<ActivityItem['kind'], string> = {
  transfer_out: 'Transfer sent',
  transfer_in: 'Transfer received',
  topup: 'Top-up from card',
  withdrawal: 'Withdrawal to card',
  payment: 'Payment to merchant',
  refund: 'Refund from merchant',
  credit: 'Credit from Formica',
  debit: 'Debit by Formica',
};

/** The party in one line of text; `latinOnly` drops the parts the PDF's fonts cannot draw. */
export function partyText(party: Counterparty | null, latinOnly = false): string {
  if (!party) return '';
  const keep = (text: string | undefined) => (text && (!latinOnly || DRAWABLE.test(text)) ? text : undefined);
  if (party.kind === 'card') return `${party.name} card ****${party.last4 ?? ''}`;
  return [keep(party.name), keep(party.phone)].filter(Boolean).join(' ') || (party.kind === 'merchant' ? 'Merchant' : 'User');
}

export function activityReceiptPdf(item: ActivityItem): Promise<Buffer> {
  const rows: [string, string][] = [
    ['What', KIND_EN[item.kind]],
    [item.direction === 'out' ? 'To' : 'From', partyText(item.counterparty, true)],
    ['Amount', `${signedAmount(item)} ${item.currency}`],
    ['Status', item.status],
    ['When', chinaIso(item.createdAt)],
    ['Note', DRAWABLE.test(item.memo) ? item.memo : ''],
    ['Reference', item.id],
  ];
  return receiptDocument({
    title: 'Formica receipt',
    id: item.id,
    at: new Date(item.createdAt).toISOString(),
    rows: rows.filter(([, value]) => value !== ''),
  });
}

export const ACTIVITY_CSV_COLUMNS = ['time', 'kind', 'counterparty', 'amount', 'currency', 'status', 'memo', 'id'] as const;

/** Text a user typed, kept from being read as a formula by a spreadsheet that opens the file. */
function inert(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

export function activityCsv(items: readonly ActivityItem[]): string {
  const rows = items.map((item) => [
    chinaIso(item.createdAt),
    item.kind,
    inert(partyText(item.counterparty)),
    signedAmount(item),
    item.currency,
    item.status,
    inert(item.memo),
    item.id,
  ]);
  return stringify(rows, { header: true, columns: [...ACTIVITY_CSV_COLUMNS] });
}
