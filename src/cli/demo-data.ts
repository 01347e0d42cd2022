// Demo data for a new embedded store: verified users with money in their wallets, so a new user
// can try every flow at once. Seeding is idempotent: it runs once per data directory.
import type { Formica } from '../app.ts';
import { passesLuhn } from '../../sim/bank/card-number.ts';
import { IN_PERSON_SOURCE, type Level } from '../modules/identity/identity-levels.ts';

export const DEMO_PASSWORD = 'formica-demo';

const DEMO_USERS: readonly { phone: string; name: string; idNo: string; level: Level; balance: bigint; cardBin: string }[] = [
  { phone: '13800000001', name: 'Alice Chen', idNo: '110101199001010011', level: 'III', balance: 1_000_000n, cardBin: '622202000000001' },
  { phone: '13800000002', name: 'Bob Wang', idNo: '110101199202020022', level: 'II', balance: 50_000n, cardBin: '621700000000002' },
  { phone: '13800000003', name: 'Carol Li', idNo: '110101199303030033', level: 'II', balance: 0n, cardBin: '622588000000003' },
];

const DEMO_BANK = 'ICBC';

/**
 * Creates the demo users unless they exist, and binds each a card at the simulated bank when one
 * runs at `bankSimUrl` (reading the SMS code from the simulator, as a tester would); returns the
 * lines to print.
 */
export async function seedDemoData(app: Formica, bankSimUrl?: string): Promise<string[]> {
  if (await app.identity.findByPhone(DEMO_USERS[0].phone)) return [];
  for (const demo of DEMO_USERS) {
    const user = await app.identity.register({ phone: demo.phone, password: DEMO_PASSWORD, name: demo.name });
    await app.wallet.openWallet(user.id);
    await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: demo.level, reference: 'demo-seed', verifiedBy: 'operator' });
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

/** The card number made of `digits` and the Luhn check digit that completes it. */
function withCheckDigit(digits: string): string {
  for (let d = 0; d <= 9; d++) if (passesLuhn(`${digits}${d}`)) return `${digits}${d}`;
  throw new Error('unreachable: one of ten check digits always passes');
}
