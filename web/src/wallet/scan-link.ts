// What a scanned or pasted payment code may open: a Formica cashier (/checkout/<trade_no>) on this
// very site, never another address, so a code cannot send the user to a look-alike page.
export function cashierPath(text: string, origin: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim(), origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || !/^\/checkout\/[A-Za-z0-9_-]{1,64}$/.test(url.pathname)) return undefined;
  return url.pathname;
}
