// Demo data for a new embedded store: verified users with money in their wallets, so a new user
// can try every flow at once. Their levels come from evidence the simulated sources accept, as a
// user's would: the phone's SMS code, the identity authority's checks and a card bound in their
// name. Seeding is idempotent: it runs once per data directory.
import type { Formica } from '../app.ts';
import { passesLuhn } from '../../sim/bank/card-number.ts';
import { DEMO_PEOPLE } from '../../sim/identity/simulator.ts';
import type { EvidenceInput } from '../modules/identity/evidence.ts';
import { LOCAL_ORIGIN } from '../modules/identity/identity.ts';
import { IN_PERSON_SOURCE, type Level } from '../modules/identity/identity-levels.ts';

export const DEMO_PASSWORD = 'formica-demo';

const DEMO_USERS: readonly { phone: string; name: string; idNo: string; level: Level; balance: bigint; cardBin: string }[] = [
  { phone: '13800000001', name: 'Alice Chen', idNo: '110101199001010011', level: 'III', balance: 1_000_000n, cardBin: '622202000000001' },
  { phone: '13800000002', name: 'Bob Wang', idNo: '110101199202020022', level: 'II', balance: 50_000n, cardBin: '621700000000002' },
  { phone: '13800000003', name: 'Carol Li', idNo: '110101199303030033', level: 'II', balance: 0n, cardBin: '622588000000003' },
];

const DEMO_BANK = 'ICBC';

/**
 * Creates the demo users unless they exist. With the identity simulator at `identitySimUrl` each
 * shows evidence its sources accept (reading SMS codes back from the simulators, as a tester
 * would), and with the bank simulator at `bankSimUrl` binds a card in their name; without the
 * identity simulator an operator's in-person check stands in. Returns the lines to print.
 */
export async function seedDemoData(app: Formica, bankSimUrl?: string, identitySimUrl?: string): Promise<string[]> {
  if (await app.identity.findByPhone(DEMO_USERS[0].phone)) return [];
  for (const demo of DEMO_USERS) {
    const user = await app.identity.register({ phone: demo.phone, password: DEMO_PASSWORD, name: demo.name });
    await app.wallet.openWallet(user.id);
    if (demo.balance > 0n) {
      await app.wallet.adjust({
        userId: user.id,
        amountMinor: demo.balance,
        currency: 'CNY',
        direction: 'credit',
        reason: 'demo opening balance',
        requestId: `demo-seed-${demo.phone}`,
      });
    }
    if (bankSimUrl) await bindDemoCard(app, bankSimUrl, user.id, demo);
    if (identitySimUrl) await showDemoEvidence(app, identitySimUrl, user.id, demo);
    else await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: demo.level, reference: 'demo-seed', verifiedBy: 'operator' });
  }
  return [
    `Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.name} ${u.phone}`).join(', ')}`,
    'Log in with POST /v1/sessions {"phone": "13800000001", "password": "formica-demo"}.',
    ...(bankSimUrl ? [`Each has a card bound at ${DEMO_BANK} (GET /v1/cards) for top-ups and withdrawals.`] : []),
  ];
}

async function bindDemoCard(app: Formica, bankSimUrl: string, userId: string, demo: (typeof DEMO_USERS)[number]): Promise<void> {
  const cardNo = withCheckDigit(demo.cardBin);
  const card = await app.cards.bind(userId, { bank: DEMO_BANK, cardNo, name: demo.name, idNo: demo.idNo, phone: demo.phone });
  const sms = (await (await fetch(`${bankSimUrl}/sim/sms?phone=${demo.phone}`)).json()) as { messages: { code: string }[] };
  const latest = sms.messages.at(-1);
  if (!latest) throw new Error(`the simulator sent no SMS code to ${demo.phone}`);
  await app.cards.confirm(userId, card.cardId, latest.code);
}

/** The phone, then the authority's checks, until the demo level (five sources, the card included, for III). */
async function showDemoEvidence(app: Formica, identitySimUrl: string, userId: string, demo: (typeof DEMO_USERS)[number]): Promise<void> {
  const person = DEMO_PEOPLE.find((p) => p.idNo === demo.idNo);
  if (!person) throw new Error(`the identity simulator does not know ${demo.name}`);
  await app.identity.sendPhoneCode(userId);
  const sms = (await (await fetch(`${identitySimUrl}/sim/sms?phone=${demo.phone}`)).json()) as { messages: { text: string }[] };
  const code = /\b(\d{6})\b/.exec(sms.messages[0]?.text ?? '')?.[1] ?? '';
  const evidence: EvidenceInput[] = [
    { source: 'carrier', smsCode: code },
    { source: 'public_security', idNo: demo.idNo },
    { source: 'id_document', idNo: demo.idNo, validUntil: person.documentValidUntil },
    ...(demo.level === 'III' ? [{ source: 'face', idNo: demo.idNo, photo: 'ZGVtbw' } as const] : []),
  ];
  for (const e of evidence) {
    const verdict = await app.identity.submitEvidence(userId, e, LOCAL_ORIGIN);
    if (verdict.result !== 'accepted') throw new Error(`demo evidence ${e.source} for ${demo.name} was refused: ${verdict.reason}`);
  }
}

/** The card number made of `digits` and the Luhn check digit that completes it. */
function withCheckDigit(digits: string): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${digits}${d}`)) return `${digits}${d}`;
  throw new Error('unreachable: one of ten check digits always passes');
}
