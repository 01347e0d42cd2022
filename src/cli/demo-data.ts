// Demo data for a new embedded store: verified users with money in their wallets, so a new user
// can try every flow at once. Seeding is idempotent: it runs once per data directory.
import type { Formica } from '../app.ts';
import { IN_PERSON_SOURCE, type Level } from '../modules/identity/identity-levels.ts';

export const DEMO_PASSWORD = 'formica-demo';

const DEMO_USERS: readonly { phone: string; name: string; level: Level; balance: bigint }[] = [
  { phone: '13800000001', name: 'Alice Chen', level: 'III', balance: 1_000_000n },
  { phone: '13800000002', name: 'Bob Wang', level: 'II', balance: 50_000n },
  { phone: '13800000003', name: 'Carol Li', level: 'II', balance: 0n },
];

/** Creates the demo users unless they exist; returns the lines to print. */
export async function seedDemoData(app: Formica): Promise<string[]> {
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
  }
  return [
    `Demo users (password "${DEMO_PASSWORD}"): ${DEMO_USERS.map((u) => `${u.name} ${u.phone}`).join(', ')}`,
    'Log in with POST /v1/sessions {"phone": "13800000001", "password": "formica-demo"}.',
  ];
}
