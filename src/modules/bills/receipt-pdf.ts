// A completed bill payment's receipt as a one-page PDF: the biller, the account with it, the
// amount, when the biller confirmed it and the payment id. Written with the standard fonts, so the
// biller is named in English (the built-in fonts carry no Chinese glyphs).
import PDFDocument from 'pdfkit';

export interface Receipt {
  readonly paymentId: string;
  readonly billerName: string;
  readonly chargeInst: string;
  readonly billKey: string;
  /** Decimal, e.g. "128.50". */
  readonly amount: string;
  readonly currency: string;
  readonly paidAt: string;
}

export function receiptPdf(receipt: Receipt): Promise<Buffer> {
  return receiptDocument({
    title: 'Formica bill payment receipt',
    id: receipt.paymentId,
    at: receipt.paidAt,
    rows: [
      ['Biller', `${receipt.billerName} (${receipt.chargeInst})`],
      ['Account (bill key)', receipt.billKey],
      ['Amount', `${receipt.amount} ${receipt.currency}`],
      ['Paid at', receipt.paidAt],
      ['Payment id', receipt.paymentId],
    ],
  });
}

/** A one-page receipt: a title, then each row's label in bold over its value. */
export function receiptDocument(receipt: { title: string; id: string; at: string; rows: readonly (readonly [string, string])[] }): Promise<Buffer> {
  // A fixed creation date keeps the same receipt byte for byte the same.
  const doc = new PDFDocument({ size: 'A5', margin: 48, info: { Title: `Formica receipt ${receipt.id}`, CreationDate: new Date(receipt.at) } });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(18).text(receipt.title);
  doc.moveDown();
  for (const [label, value] of receipt.rows) {
    doc.font('Helvetica-Bold').fontSize(11).text(label);
    doc.font('Helvetica').fontSize(11).text(value).moveDown(0.5);
  }
  doc.end();
  return done;
}
