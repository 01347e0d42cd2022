// Test helpers for the credit module: a Formica over a fresh store (SQLite, or a PostgreSQL schema
// when asked), verified and funded borrowers, days passed on the clock with the servicing run, the audit.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createFormica, type Formica } from '../../app.ts';
import { ManualClock } from '../../engine/clock.ts';
import { verifyStore } from '../../engine/verify.ts';
import { walletAccountId } from '../books/chart.ts';
import { IN_PERSON_SOURCE } from '../identity/identity-levels.ts';

const DAY_MS = 86_400_000;

export const storesUnderTest = process.env.DATABASE_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

export interface CreditFixture {
  readonly app: Formica;
  readonly clock: ManualClock;
  /** Where the store lives (a SQLite store's files). */
  readonly dataDir: string;
  /** A verified user whose wallet holds `fen`. */
  borrower(fen: bigint): Promise<string>;
  /** Debit balance of a ledger account (credit-normal accounts come out negative). */
  balance(accountId: string): Promise<bigint>;
  wallet(userId: string): Promise<bigint>;
  /** Moves the clock a day at a time, servicing loans and statements each day. */
  passDays(days: number): Promise<void>;
  /** Today in Shanghai. */
  today(): string;
  auditProblems(): Promise<string[]>;
  close(): Promise<void>;
}

export async function creditFixture(store: 'sqlite' | 'postgres', startMs: number): Promise<CreditFixture> {
  const clock = new ManualClock(startMs);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-credit-'));
  const schema = store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const app = await createFormica({ dataDir, databaseUrl: schema ? process.env.DATABASE_URL : undefined, databaseSchema: schema, clock, runJobs: false });
  let seq = 0;
  const balance = async (id: string) => {
    const a = await app.store.getAccount(id);
    return (a?.debitsPosted ?? 0n) - (a?.creditsPosted ?? 0n);
  };
  return {
    app,
    clock,
    dataDir,
    async borrower(fen) {
      seq++;
      const tag = randomBytes(2).readUInt16BE(0) % 10_000;
      const user = await app.identity.register({
        phone: `137${String(tag).padStart(4, '0')}${String(seq).padStart(4, '0')}`,
        password: 'correct horse',
        name: `Borrower ${seq}`,
      });
      await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'I', reference: `desk-${seq}`, verifiedBy: 'operator' });
      await app.wallet.openWallet(user.id);
      if (fen > 0n)
        await app.wallet.adjust({
          userId: user.id,
          amountMinor: fen,
          currency: 'CNY',
          direction: 'credit',
          reason: 'test funds',
          requestId: `fund-${user.id}`,
        });
      return user.id;
    },
    balance,
    wallet: async (userId) => -(await balance(walletAccountId(userId))),
    async passDays(days) {
      for (let d = 0; d < days; d++) {
        clock.advance(DAY_MS);
        await app.credit.serviceDue();
      }
    },
    today: () => new Date(clock.now() + 8 * 3_600_000).toISOString().slice(0, 10),
    auditProblems: async () => (await verifyStore(app.store)).problems,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (!schema) return;
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
