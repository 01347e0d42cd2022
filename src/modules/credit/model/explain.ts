// A factor in plain words, in Chinese and English, as the borrower reads it beside the score.
import type { FactorEffect } from './score.ts';

export type Locale = 'zh' | 'en';

/** Names of the platform's own features; a column of any other table is shown by its own name. */
const FEATURE_NAMES: Record<string, Record<Locale, string>> = {
  months_active: { zh: '经营月数', en: 'Months trading' },
  monthly_sales: { zh: '月均销售额', en: 'Average monthly sales' },
  sales_trend: { zh: '销售额趋势', en: 'Sales trend' },
  sales_volatility: { zh: '销售额波动', en: 'Sales volatility' },
  refund_rate: { zh: '退款率', en: 'Refund rate' },
  dispute_rate: { zh: '纠纷率', en: 'Dispute rate' },
  repeat_buyer_share: { zh: '回头客占比', en: 'Share of repeat buyers' },
  fund_balance: { zh: '资金余额', en: 'Fund balance' },
  repayment_record: { zh: '还款记录', en: 'Repayment record' },
  account_age_days: { zh: '账户年龄（天）', en: 'Account age (days)' },
  level: { zh: '账户等级', en: 'Account level' },
  payments_count: { zh: '支付次数', en: 'Number of payments' },
  balance: { zh: '余额', en: 'Balance' },
};

export function featureName(name: string, locale: Locale): string {
  return FEATURE_NAMES[name]?.[locale] ?? name;
}

export function explainFactor(factor: FactorEffect, locale: Locale): string {
  const name = featureName(factor.name, locale);
  const points = Math.abs(factor.effect);
  if (locale === 'zh') {
    const subject = factor.value === '' ? `${name}暂无记录` : `${name}为 ${factor.value}`;
    if (factor.effect === 0) return `${subject}，对评分没有影响。`;
    return `${subject}，使评分${factor.effect > 0 ? '提高' : '降低'} ${points} 分。`;
  }
  const subject = factor.value === '' ? `No ${name.toLowerCase()} on record` : `${name} of ${factor.value}`;
  if (factor.effect === 0) return `${subject} did not change your score.`;
  return `${subject} ${factor.effect > 0 ? 'raised' : 'lowered'} your score by ${points} point${points === 1 ? '' : 's'}.`;
}
