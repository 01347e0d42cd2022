// Links to a merchant's daily bill, as `alipay.data.dataservice.bill.downloadurl.query` answers:
// a URL anyone holding it may download from until it expires, so it carries its own proof: the
// app, the day and the expiry, signed with Formica's key. No table is needed, and nothing about
// the link can be changed without breaking the signature.
import { createSign, createVerify } from 'node:crypto';
import type { Clock } from '../../engine/clock.ts';
import { chinaDay } from './bills.ts';

/** How long a link works (policy: the public API's links work for 30 seconds; a download may be slow to start). */
export const BILL_LINK_TTL_MS = 10 * 60_000;
export const BILL_FILES_PATH = '/v1/merchant/bill-files';

export type BillLinkRefusal = 'bill_date_invalid' | 'bill_not_ready';

export interface BillLinkKeys {
  privateKeyPem(): string;
  readonly publicPem: string;
}

export class BillLinks {
  constructor(
    private readonly keys: BillLinkKeys,
    private readonly clock: Clock,
  ) {}

  /** A link to the app's bill of a closed day, from `origin` (the scheme and host merchants reach Formica at). */
  url(appId: string, date: string, origin: string): { ok: true; url: string } | { ok: false; refusal: BillLinkRefusal } {
    const day = chinaDay(date);
    if (!day) return { ok: false, refusal: 'bill_date_invalid' };
    if (day.toMs > this.clock.now()) return { ok: false, refusal: 'bill_not_ready' };
    const expires = String(this.clock.now() + BILL_LINK_TTL_MS);
    const signer = createSign('sha256');
    signer.update(signedText(appId, date, expires));
    const sign = signer.sign(this.keys.privateKeyPem(), 'base64url');
    const query = new URLSearchParams({ app_id: appId, bill_date: date, expires, sign });
    return { ok: true, url: `${origin}${BILL_FILES_PATH}?${query}` };
  }

  /** The app and day a link names, if its signature holds and it has not expired. */
  verify(query: Record<string, string | undefined>): { appId: string; date: string } | undefined {
    const { app_id: appId, bill_date: date, expires, sign } = query;
    if (!appId || !date || !expires || !sign || !/^\d{1,16}$/.test(expires)) return undefined;
    if (Number(expires) < this.clock.now()) return undefined;
    const verifier = createVerify('sha256');
    verifier.update(signedText(appId, date, expires));
    return verifier.verify(this.keys.publicPem, sign, 'base64url') ? { appId, date } : undefined;
  }
}

function signedText(appId: string, date: string, expires: string): string {
  return `bill\n${appId}\n${date}\n${expires}`;
}
