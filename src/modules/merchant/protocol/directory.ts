// What the protocol layer needs to know about merchants: who an app_id is and which key it signs with.
import type { ApiFailure } from './errors.ts';

export interface MerchantAppDirectory {
  /** The app's registered RSA public key (PEM), or undefined when the app is unknown or disabled. */
  findPublicKey(appId: string): Promise<string | undefined>;
}

/** Policy: requests older (or newer) than this are refused, to stop replays. */
export const DEFAULT_TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

/** The outcome of authenticating a request: the caller's app, or the failure to answer with. */
export type AuthResult<T> = ({ ok: true } & T) | { ok: false; failure: ApiFailure };
