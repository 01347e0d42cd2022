// Shows amounts the API sends as decimal strings ("12345.60"). Formatting only, on the string's
// digits: no number ever holds money here, so nothing is rounded.
const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€' };

/** "12345.60" -> "12,345.60"; the digits are kept exactly as given. */
export function groupDigits(decimal: string): string {
  const match = /^(-?)(\d+)(\.\d+)?$/.exec(decimal.trim());
  if (!match) return decimal;
  const [, sign, whole, fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

export function formatMoney(decimal: string, currency: string): string {
  const grouped = groupDigits(decimal);
  const symbol = SYMBOLS[currency];
  if (!symbol) return `${grouped} ${currency}`;
  return grouped.startsWith('-') ? `-${symbol}${grouped.slice(1)}` : `${symbol}${grouped}`;
}

/** A ledger timestamp (nanoseconds, decimal string) as a local date and time. */
export function ledgerTime(ns: string, lang: string): string {
  return new Date(Number(BigInt(ns) / 1_000_000n)).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
}

export function clockTime(ms: number, lang: string): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
}
