// A randomized (seeded) day of traffic: users bind cards at three banks, top up, withdraw and pay
// each other, while the simulator's failure and late-answer rates are turned up part of the time.
// Then pending operations are resolved, the day is reconciled, and the books must agree to the fen:
// the reserves check, each bank's reserve against its own statement, and the ledger's invariants.
// Set FORMICA_RANDOM_SEED to replay a failing day. SQLite always; PostgreSQL with DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { DomainError } from '../src/domain-error.ts';
import { type RunningBankSimulator, startBankSimulator } from '../sim/bank/server.ts';
import { IN_PERSON_SOURCE } from '../src/modules/identity/identity-levels.ts';
import { reserveAccountId, walletAccountId } from '../src/modules/books/chart.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

const SEED = Number(process.env.FORMICA_RANDOM_SEED ?? 20260420);
const D = '2026-04-20';
/** 08:00 in Shanghai on D. */
const T0 = Date.UTC(2026, 3, 20, 0, 0, 0);
const BANKS = ['ICBC', 'CCB', 'CMB'] as const;
const USERS = 6;
const STEPS = 90;
/** Refusals a random day is expected to meet; anything else fails the test. */
const EXPECTED = new Set(['insufficient_funds', 'limit_exceeded']);

/** mulberry32: small, seeded, good enough to pick actions. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Luhn-valid 16-digit test number (never a real card). */
function cardNumber(rand: () => number): string {
  const body = `62${Array.from({ length: 13 }, () => Math.floor(rand() * 10)).join('')}`;
  const sum = [...body].reverse().reduce((s, ch, i) => {
    const d = Number(ch) * (i % 2 === 0 ? 2 : 1);
    return s + (d > 9 ? d - 9 : d);
  }, 0);
  return body + String((10 - (sum % 10)) % 10);
}

interface DayUser {
  id: string;
  phone: string;
  cardId: string;
}

describe.each(storesUnderTest())('a random day reconciles to the fen (%s)', (store) => {
  const clock = new ManualClock(T0);
  const rand = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  let bank: RunningBankSimulator;
  let server: TestServer;
  const users: DayUser[] = [];
  const done: Array<() => Promise<void>> = [];
  const tally = new Map<string, number>();

  beforeAll(async () => {
    bank = await startBankSimulator({ clock, port: 0, seed: SEED });
    server = await startTestServer({ store, clock, bankUrl: bank.url, bankTimeoutMs: 150 });
  });
  afterAll(async () => {
    await server?.close();
    await bank?.close();
  });

  const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);

  /** Runs an action; expected refusals are counted, anything else fails the test. */
  async function attempt(name: string, action: () => Promise<{ status?: string } | unknown>): Promise<void> {
    try {
      const result = (await action()) as { status?: string };
      count(`${name}:${result?.status ?? 'ok'}`);
    } catch (error) {
      if (!(error instanceof DomainError) || !EXPECTED.has(error.code)) throw new Error(`seed ${SEED}: ${name} failed: ${(error as Error).message}`);
      count(`${name}:${error.code}`);
    }
  }

  async function newUser(n: number): Promise<DayUser> {
    const app = server.app;
    const phone = `136${String(SEED % 10_000).padStart(4, '0')}${String(n).padStart(4, '0')}`;
    const user = await app.identity.register({ phone, password: 'correct horse', name: `Day User ${n}` });
    await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'II', reference: `day-${n}`, verifiedBy: 'operator' });
    const bankCode = BANKS[n % BANKS.length];
    const holder = { name: `Day User ${n}`, idNo: `11010119900101${String(1000 + n)}` };
    // The banks bind cards only in a customer's own name.
    bank.simulator.enrollCustomer(holder.name, holder.idNo);
    const card = await app.cards.bind(user.id, { bank: bankCode, cardNo: cardNumber(rand), ...holder, phone });
    const sms = bank.simulator.smsFor(phone).at(-1)!;
    await app.cards.confirm(user.id, card.cardId, sms.code);
    return { id: user.id, phone, cardId: card.cardId };
  }

  function randomAction(step: number, slot: number): () => Promise<void> {
    const app = server.app;
    const user = pick(users);
    const requestId = `s${step}-${slot}`;
    const amountMinor = BigInt(1 + Math.floor(rand() * 50_000));
    const input = { cardId: user.cardId, amountMinor, currency: 'CNY', requestId };
    const roll = rand();
    let action: () => Promise<void>;
    if (roll < 0.45) action = () => attempt('topup', () => app.cardPayments.topup(user.id, input));
    else if (roll < 0.7) action = () => attempt('withdrawal', () => app.cardPayments.withdraw(user.id, { ...input, amountMinor: amountMinor / 2n + 1n }));
    else {
      const payee = pick(users.filter((u) => u !== user));
      const transfer = { toPhone: payee.phone, amountMinor: amountMinor / 4n + 1n, currency: 'CNY', requestId, memo: 'random day' };
      action = () => attempt('transfer', () => app.wallet.transfer(user.id, transfer));
    }
    done.push(action);
    // Now and then a client retries an earlier request: it must change nothing.
    return rand() < 0.1 && done.length > 1 ? pick(done) : action;
  }

  async function setChaos(on: boolean): Promise<void> {
    for (const code of BANKS) {
      const chaos = on && rand() < 0.7;
      const body = chaos ? { failure_rate: 0.2, timeout_rate: 0.25, late_answer_ms: 400 } : { failure_rate: 0, timeout_rate: 0 };
      const response = await fetch(`${bank.url}/sim/banks/${code}/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(200);
    }
  }

  it('runs the day, resolves pending operations and reconciles without a difference', async () => {
    for (let n = 0; n < USERS; n++) users.push(await newUser(n));
    for (let step = 0; step < STEPS; step++) {
      if (step % 15 === 0) await setChaos(step % 30 === 15);
      clock.advance(60_000 + Math.floor(rand() * 6 * 60_000));
      // Three requests at once, as a busy server sees them.
      const batch = [0, 1, 2].map((slot) => randomAction(step, slot));
      await Promise.all(batch.map((action) => action()));
    }
    await setChaos(false);
    let pending = Number.POSITIVE_INFINITY;
    for (let round = 0; round < 5 && pending > 0; round++) pending = (await server.app.cardPayments.resolvePending(1000)).pending;
    expect(pending, `seed ${SEED}`).toBe(0);
    // The day must have met every outcome, or the chaos did not engage.
    for (const outcome of [':succeeded', ':failed', ':pending'])
      expect(
        [...tally.keys()].some((k) => k.endsWith(outcome)),
        JSON.stringify([...tally]),
      ).toBe(true);

    clock.set(Date.UTC(2026, 3, 20, 18, 0, 0)); // 02:00 on D+1 in Shanghai
    const report = await server.app.reconciliation.reconcile(D);
    const differences = report.banks.flatMap((run) => run.items.filter((i) => i.kind !== 'matched' && i.kind !== 'settled'));
    expect(differences, `seed ${SEED}`).toEqual([]);
    expect(report.banks.map((run) => run.status)).toEqual(BANKS.map(() => 'complete'));
    expect(report.unresolved).toBe(0);
    expect(report.reserves.balanced).toBe(true);
    expect(report.reserves.ledgers.map((l) => l.differenceMinor)).toEqual([0n]);
  });

  it("agrees with each bank's own statement and with the wallets, to the fen", async () => {
    const app = server.app;
    let reserves = 0n;
    for (const code of BANKS) {
      const lines = bank.simulator.statementLines(code, D);
      if (!lines.ok) throw new Error(lines.message);
      const atBank = lines.value.filter((l) => l.status === 'succeeded').reduce((s, l) => s + (l.type === 'debit' ? l.amountMinor : -l.amountMinor), 0n);
      const account = await app.store.getAccount(reserveAccountId(code, 'CNY'));
      const reserve = (account?.debitsPosted ?? 0n) - (account?.creditsPosted ?? 0n);
      expect(reserve, `${code}, seed ${SEED}`).toBe(atBank);
      expect([account?.debitsPending ?? 0n, account?.creditsPending ?? 0n]).toEqual([0n, 0n]);
      reserves += reserve;
    }
    let wallets = 0n;
    for (const user of users) {
      const account = await app.store.getAccount(walletAccountId(user.id));
      wallets += (account?.creditsPosted ?? 0n) - (account?.debitsPosted ?? 0n);
    }
    expect(wallets).toBe(reserves);
    expect((await verifyStore(app.store)).problems).toEqual([]);
    const again = await app.reconciliation.reconcile(D);
    expect(again.unresolved).toBe(0);
  });
});
