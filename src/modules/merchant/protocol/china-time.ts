// The version 2 protocol writes times as "yyyy-MM-dd HH:mm:ss" in China Standard Time (UTC+8),
// both in request timestamps and in notification fields such as gmt_payment.
const CST_OFFSET_MS = 8 * 60 * 60 * 1000;
const PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Epoch milliseconds for a CST wall-clock text, or undefined when the text is not one. */
export function parseChinaTime(text: string): number | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second) - CST_OFFSET_MS;
  // Date.UTC rolls "02-31" over into March; a real calendar time survives the round trip.
  return formatChinaTime(ms) === text ? ms : undefined;
}

export function formatChinaTime(ms: number): string {
  const d = new Date(ms + CST_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  return `${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
