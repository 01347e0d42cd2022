// A completed bill payment's receipt as a one-page PDF, in the language the payer reads: the biller,
// the account with it, the amount, when the biller confirmed it and the payment id. The text is set
// in Noto Sans SC (Latin and simplified Chinese in one face, SIL Open Font License), and the PDF
// embeds only the glyphs it uses, so a receipt stays a few tens of kilobytes.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Lang } from '../../text/lang.ts';
import { sfntFromWoff } from './sfnt-from-woff.ts';

export type ReceiptLang = Lang;

export interface Receipt {
  readonly paymentId: string;
  /** The biller's name in the receipt's language. */
  readonly billerName: string;
  readonly chargeInst: string;
  readonly billKey: string;
  /** Decimal, e.g. "128.50". */
  readonly amount: string;
  readonly currency: string;
  readonly paidAt: string;
}

const BILL_LABELS: Record<ReceiptLang, { title: string; biller: string; billKey: string; amount: string; paidAt: string; id: string }> = {
  zh: { title: 'Formica 缴费回单', biller: '收费单位', billKey: '缴费户号', amount: '金额', paidAt: '缴费时间', id: '交易号' },
  en: { title: 'Formica bill payment receipt', biller: 'Biller', billKey: 'Account (bill key)', amount: 'Amount', paidAt: 'Paid at', id: 'Payment id' },
};

export function receiptPdf(receipt: Receipt, lang: ReceiptLang): Promise<Buffer> {
  const label = BILL_LABELS[lang];
  return receiptDocument({
    title: label.title,
    id: receipt.paymentId,
    at: receipt.paidAt,
    rows: [
      [label.biller, `${receipt.billerName} (${receipt.chargeInst})`],
      [label.billKey, receipt.billKey],
      [label.amount, `${receipt.amount} ${receipt.currency}`],
      [label.paidAt, receipt.paidAt],
      [label.id, receipt.paymentId],
    ],
  });
}

const fontFiles = path.join(path.dirname(createRequire(import.meta.url).resolve('@fontsource/noto-sans-sc/package.json')), 'files');
/** The two weights in @fontsource/noto-sans-sc, each Latin and simplified Chinese in one face. */
export const RECEIPT_FONT_FILES = {
  regular: path.join(fontFiles, 'noto-sans-sc-chinese-simplified-400-normal.woff'),
  bold: path.join(fontFiles, 'noto-sans-sc-chinese-simplified-700-normal.woff'),
};
let faces: { regular: fontkit.Font; bold: fontkit.Font } | undefined;

/** The font in a file of one face (a collection is refused). */
export function singleFace(bytes: Buffer): fontkit.Font {
  const font = fontkit.create(bytes);
  if ('fonts' in font) throw new Error('a font collection, not a face');
  return font;
}

/**
 * Read, unwrapped and parsed once, on the first receipt, then shared by every document: a parsed face
 * keeps its shaping tables, which take tens of milliseconds to read, and each PDF embeds its own
 * subset of it.
 */
function receiptFaces(): { regular: fontkit.Font; bold: fontkit.Font } {
  const face = (file: string) => singleFace(sfntFromWoff(fs.readFileSync(file)));
  faces ??= { regular: face(RECEIPT_FONT_FILES.regular), bold: face(RECEIPT_FONT_FILES.bold) };
  return faces;
}

/** A one-page receipt: a title, then each row's label in bold over its value. */
export function receiptDocument(receipt: { title: string; id: string; at: string; rows: readonly (readonly [string, string])[] }): Promise<Buffer> {
  // A fixed creation date keeps the same receipt byte for byte the same.
  const doc = new PDFDocument({ size: 'A5', margin: 48, info: { Title: `Formica receipt ${receipt.id}`, CreationDate: new Date(receipt.at) } });
  const { regular, bold } = receiptFaces();
  // pdfkit takes a parsed fontkit face as well as a file (its types name only the file forms).
  doc.registerFont('regular', regular as unknown as PDFKit.Mixins.PDFFontSource);
  doc.registerFont('bold', bold as unknown as PDFKit.Mixins.PDFFontSource);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('bold').fontSize(18).text(receipt.title);
  doc.moveDown();
  for (const [label, value] of receipt.rows) {
    doc.font('bold').fontSize(11).text(label);
    doc.font('regular').fontSize(11).text(value).moveDown(0.5);
  }
  doc.end();
  return done;
}
