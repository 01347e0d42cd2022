// The external sources Formica asks about a person: the identity authority (id number and name
// against its register, the identity document, the face) and the carrier's SMS gateway. Both speak
// HTTP (the identity simulator, or an adapter to the real services). An authority that does not
// answer is `unavailable`: a verdict is never guessed.
import { z } from 'zod';

export type SourceVerdict = { readonly verdict: 'match' } | { readonly verdict: 'mismatch'; readonly reason: string };

export interface AuthorityCheck {
  readonly idNo: string;
  readonly name: string;
  readonly documentValidUntil?: string;
  readonly photo?: string;
}

export type AuthorityAnswer =
  | {
      readonly status: 'answered';
      readonly checkId: string;
      readonly identity: SourceVerdict;
      readonly document?: SourceVerdict;
      readonly face?: SourceVerdict;
    }
  | { readonly status: 'unavailable'; readonly cause: string };

export interface IdentityAuthority {
  check(request: AuthorityCheck): Promise<AuthorityAnswer>;
}

export interface SmsGateway {
  /** Resolves once the carrier took the message; rejects when it could not. */
  send(phone: string, text: string): Promise<void>;
}

const TIMEOUT_MS = 5_000;
const verdict = z.union([z.object({ verdict: z.literal('match') }), z.object({ verdict: z.literal('mismatch'), reason: z.string() })]);
const checkAnswer = z.object({ check_id: z.string(), identity: verdict, document: verdict.optional(), face: verdict.optional() });

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
}

export function httpIdentityAuthority(baseUrl: string): IdentityAuthority {
  const url = `${baseUrl.replace(/\/+$/, '')}/authority/checks`;
  return {
    async check(r) {
      const body = { id_no: r.idNo, name: r.name, document_valid_until: r.documentValidUntil, photo: r.photo };
      try {
        const response = await post(url, body);
        if (!response.ok) return { status: 'unavailable', cause: `the authority answered ${response.status}` };
        const a = checkAnswer.parse(await response.json());
        return { status: 'answered', checkId: a.check_id, identity: a.identity, document: a.document, face: a.face };
      } catch (error) {
        return { status: 'unavailable', cause: (error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable' };
      }
    },
  };
}

export function httpSmsGateway(baseUrl: string): SmsGateway {
  const url = `${baseUrl.replace(/\/+$/, '')}/carrier/messages`;
  return {
    async send(phone, text) {
      const response = await post(url, { phone, text });
      if (!response.ok) throw new Error(`the SMS gateway answered ${response.status}`);
    },
  };
}

/** Where no authority is configured: every check is unavailable. */
export const NO_AUTHORITY: IdentityAuthority = { check: async () => ({ status: 'unavailable', cause: 'no identity authority is configured' }) };
/** Where no SMS gateway is configured: no code can be sent. */
export const NO_SMS_GATEWAY: SmsGateway = {
  send: async () => {
    throw new Error('no SMS gateway is configured');
  },
};
