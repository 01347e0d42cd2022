// A line of the activity as people keep it: a one-page PDF receipt, and the lines of a month or a
// kind as CSV. Times are ISO 8601 in China time with the offset; amounts are signed decimal strings.
// The receipt is in the reader's language (Chinese or English) and draws names and notes as written.
import { stringify } from 'csv-stringify/sync';
import { findCurrency } from '../../money/currency.ts';
import { formatMinor } from '../../money/amount.ts';
import { type ReceiptLang, receiptDocument } from '../bills/receipt-pdf.ts';
import type { ActivityItem, Counterparty } from './activity.ts';

const CHINA_OFFSET_MS = 8 * 3600 * 1000;

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

interface ReceiptText {
  readonly title: string;
  readonly labels: { what: string; to: string; from: string; amount: string; status: string; when: string; note: string; reference: string };
  readonly kinds: Record<ActivityItem['kind'], string>;
  readonly statuses: Record<ActivityItem['status'], string>;
  readonly parties: { card: string; merchant: string; user: string };
}

const RECEIPT_TEXT: Record<ReceiptLang, ReceiptText> = {
  en: {
    title: 'Formica receipt',
    labels: { what: 'What', to: 'To', from: 'From', amount: 'Amount', status: 'Status', when: 'When', note: 'Note', reference: 'Reference' },
    kinds: {
      transfer_out: 'Transfer sent',
      transfer_in: 'Transfer received',
      topup: 'Top-up from card',
      withdrawal: 'Withdrawal to card',
      payment: 'Payment to merchant',
      refund: 'Refund from merchant',
      credit: 'Credit from Formica',
      debit: 'Debit by Formica',
    },
    statuses: { completed: 'Completed', pending: 'Pending', failed: 'Failed', reversed: 'Reversed' },
    parties: { card: 'card ****', merchant: 'Merchant', user: 'User' },
  },
  zh: {
    title: 'Formica 交易凭证',
    labels: { what: '交易类型', to: '收款方', from: '付款方', amount: '金额', status: '状态', when: '时间', note: '备注', reference: '交易号' },
    kinds: {
      transfer_out: '转账支出',
      transfer_in: '转账收入',
      topup: '银行卡充值',
      withdrawal: '提现到银行卡',
      payment: '付款给商家',
      refund: '商家退款',
      credit: 'Formica 入账',
      debit: 'Formica 扣款',
    },
    statuses: { completed: '已完成', pending: '处理中', failed: '失败', reversed: '已冲正' },
    parties: { card: '卡 尾号', merchant: '商家', user: '用户' },
  },
};

/** The party in one line of text, in the CSV's English or a receipt's language. */
export function partyText(party: Counterparty | null, lang: ReceiptLang = 'en'): string {
  if (!party) return '';
  const words = RECEIPT_TEXT[lang].parties;
  if (party.kind === 'card') return `${party.name} ${words.card}${party.last4 ?? ''}`;
  return [party.name, party.phone].filter(Boolean).join(' ') || (party.kind === 'merchant' ? words.merchant : words.user);
}

export function activityReceiptPdf(item: ActivityItem, lang: ReceiptLang): Promise<Buffer> {
  const text = RECEIPT_TEXT[lang];
  const label = text.labels;
  const rows: [string, string][] = [
    [label.what, text.kinds[item.kind]],
    [item.direction === 'out' ? label.to : label.from, partyText(item.counterparty, lang)],
    [label.amount, `${signedAmount(item)} ${item.currency}`],
    [label.status, text.statuses[item.status]],
    [label.when, chinaIso(item.createdAt)],
    [label.note, item.memo],
    [label.reference, item.id],
  ];
  return receiptDocument({
    title: text.title,
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
