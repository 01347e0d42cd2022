// The bills the simulator knows. The four test accounts behave the same at every biller (like a
// card network's test card numbers); any other key of the form 1xxxxxxxxx is a seeded household
// whose bill is derived from the seed, the biller and the key, so a restart shows the same bills.
import { type RandomSource, seededRandom, seedFor } from '../bank/random.ts';
import { statementDay } from '../bank/statement.ts';

/** What the biller does with a payment: confirm soon, refuse, or confirm only after a long while. */
export type Behaviour = 'confirm' | 'refuse' | 'late';

export interface Bill {
  readonly chargeInst: string;
  readonly billKey: string;
  readonly holderName: string;
  /** Before any payment the simulator has taken. */
  readonly dueMinor: bigint;
  readonly dueDate: string;
  /** Fixed for a test account; drawn per payment for a household. */
  readonly behaviour?: Behaviour;
}

export const BILL_KEY = /^1\d{9}$/;

const TEST_ACCOUNTS: Record<string, { dueMinor: bigint; behaviour: Behaviour }> = {
  '1000000001': { dueMinor: 12_850n, behaviour: 'confirm' },
  '1000000002': { dueMinor: 0n, behaviour: 'confirm' },
  '1000000003': { dueMinor: 4_500n, behaviour: 'refuse' },
  '1000000004': { dueMinor: 6_000n, behaviour: 'late' },
};

const HOLDERS = ['王芳', '李伟', '张敏', '刘洋', '陈静', '杨磊', '赵丽', '黄强', '周婷', '吴军'];
/** Bills are due on this day of the month. */
const DUE_DAY = '25';

/** The bill of `billKey` at `chargeInst`, or undefined when the key is not a household's. */
export function billOf(seed: number, chargeInst: string, billKey: string, nowMs: number, timeZone: string): Bill | undefined {
  if (!BILL_KEY.test(billKey)) return undefined;
  const dueDate = `${statementDay(nowMs, timeZone).slice(0, 8)}${DUE_DAY}`;
  const random = seededRandom(seedFor(seed, 'household', chargeInst, billKey));
  const holderName = HOLDERS[Math.floor(random.next() * HOLDERS.length)];
  const test = TEST_ACCOUNTS[billKey];
  if (test) return { chargeInst, billKey, holderName, dueMinor: test.dueMinor, dueDate, behaviour: test.behaviour };
  return { chargeInst, billKey, holderName, dueMinor: householdDue(random), dueDate };
}

/** 20.00 to 499.99 CNY, whole fen. */
function householdDue(random: RandomSource): bigint {
  return 2_000n + BigInt(Math.floor(random.next() * 48_000));
}
