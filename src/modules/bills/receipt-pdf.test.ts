import { describe, expect, it } from 'vitest';
import { missingCharacters } from '../../../test/support/pdf-text.ts';
import { type Receipt, receiptPdf } from './receipt-pdf.ts';

const receipt: Receipt = {
  paymentId: 'bp_01JD0000000000000000000000',
  billerName: '国网杭州供电公司',
  chargeInst: 'HZ_ELEC',
  billKey: '1000000001',
  amount: '128.50',
  currency: 'CNY',
  paidAt: '2026-03-01T16:30:00.000+08:00',
};

describe('bill payment receipt', () => {
  it('is written in Chinese, with the biller named as written', async () => {
    const pdf = await receiptPdf(receipt, 'zh');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(missingCharacters(pdf, 'Formica 缴费回单 收费单位 国网杭州供电公司 (HZ_ELEC) 缴费户号 1000000001 金额 128.50 CNY 交易号')).toEqual([]);
  });

  it('is written in English when asked, without a Chinese label', async () => {
    const pdf = await receiptPdf({ ...receipt, billerName: 'State Grid Hangzhou Power' }, 'en');
    expect(missingCharacters(pdf, 'Formica bill payment receipt Biller State Grid Hangzhou Power Paid at Payment id')).toEqual([]);
    expect(missingCharacters(pdf, '缴费')).toEqual(['缴', '费']);
  });

  it('is the same bytes for the same payment, and small: only the glyphs used are embedded', async () => {
    const [first, second] = [await receiptPdf(receipt, 'zh'), await receiptPdf(receipt, 'zh')];
    expect(first.equals(second)).toBe(true);
    expect(first.length).toBeLessThan(64 * 1024);
  });
});
