// Shows amounts the API sends as decimal strings ("12345.60"). Formatting only, on the string's
// digits: no number ever holds money here, so nothing is rounded.
const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€' };

/** "12345.60" -> "12,345.60", "+5.00" -> "+5.00"; the digits are kept exactly as given. */
export function groupDigits(decimal: string): string {
  const match = /^([-+]?)(\d+)(\.\d+)?$/.exec(decimal.trim());
  if (!match) return decimal;
  const [, sign, whole, fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

export function formatMoney(decimal: string, currency: string): string {
  const grouped = groupDigits(decimal);
  const symbol = SYMBOLS[currency];
  if (!symbol) return `${grouped} ${currency}`;
  const sign = /^[-+]/.test(grouped) ? grouped[0] : '';
  return `${sign}${symbol}${grouped.slice(sign.length)}`;
}

export function clockTime(ms: number, lang: string): string {
  return new Date(ms).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB');
}

/** An ISO 8601 instant as a short local date and time ("3 Mar, 14:05" / "3月3日 14:05"). */
export function shortDateTime(iso: string, lang: string): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }).format(
    new Date(iso),
  );
}
