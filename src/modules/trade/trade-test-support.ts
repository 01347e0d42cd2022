// Test helpers for the trade module: a Formica over a fresh store (SQLite, or a PostgreSQL schema
// when DATABASE_URL is set), a trade service with an in-test merchant lookup, funded buyers, and
// balances read straight from the ledger. Notifications are sent as their neutral events (the
// merchant protocol's wording is the merchant module's, tested there).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createFormica, type Formica } from '../../app.ts';
import { ManualClock } from '../../engine/clock.ts';
import { verifyStore } from '../../engine/verify.ts';
import { AccountFlag } from '../../ledger/index.ts';
import { AccountCode, platformRevenueAccountId, walletAccountId } from '../books/chart.ts';
import { PLATFORM_CURRENCY } from '../books/platform-currency.ts';
import { IN_PERSON_SOURCE } from '../identity/identity-levels.ts';
import type { Deliver } from './trade-notifications.ts';
import { type MerchantInfo, type NotificationEncoder, type NotificationRecord, TradeService } from './trade.ts';

export interface TradeFixture {
  app: Formica;
  clock: ManualClock;
  trades: TradeService;
  merchants: Map<string, MerchantInfo>;
  newMerchant(feeBps: number, notifyUrl?: string): Promise<MerchantInfo>;
  newBuyer(fundYuan: string): Promise<string>;
  /** Posted balance (credits - debits) of an account, in minor units. */
  posted(accountId: string): Promise<bigint>;
  pendingIn(accountId: string): Promise<bigint>;
  revenue(): Promise<bigint>;
  wallet(userId: string): Promise<bigint>;
  audit(): Promise<string[]>;
  close(): Promise<void>;
}

/** `encode` words notifications when sent; by default each is its event's own fields (eventFormBody). */
export async function tradeFixture(store: 'sqlite' | 'postgres', deliver?: Deliver, encode: NotificationEncoder = eventFormBody): Promise<TradeFixture> {
  const clock = new ManualClock();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-trade-'));
  const schema = store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
  const app = await createFormica({ dataDir, databaseUrl: schema ? process.env.DATABASE_URL : undefined, databaseSchema: schema, clock, runJobs: false });
  const merchants = new Map<string, MerchantInfo>();
  const trades = await TradeService.open({
    db: app.sql,
    runner: app.runner,
    clock,
    ids: app.ids,
    identity: app.identity,
    wallet: app.wallet,
    merchants: { merchant: async (id) => merchants.get(id) },
    encodeNotification: encode,
    deliver,
  });
  let seq = 0;
  const account = (id: string) => app.store.getAccount(id);
  return {
    app,
    clock,
    trades,
    merchants,
    async newMerchant(feeBps, notifyUrl) {
      seq += 1;
      const merchantId = `mch_test${seq}_${randomBytes(3).toString('hex')}`;
      const settlementAccountId = `mch_settle_${merchantId}`;
      await app.engine.ensureAccount({
        id: settlementAccountId,
        ledger: PLATFORM_CURRENCY.ledger,
        code: AccountCode.merchantSettlement,
        flags: AccountFlag.debits_must_not_exceed_credits,
        userData: merchantId,
      });
      const info = { merchantId, feeBps, notifyUrl, settlementAccountId, appId: `app_${seq}` };
      merchants.set(merchantId, info);
      return info;
    },
    async newBuyer(fundYuan) {
      seq += 1;
      const phone = `138${String(seq).padStart(4, '0')}${randomBytes(2).readUInt16BE() % 10000}`.padEnd(11, '0').slice(0, 11);
      const user = await app.identity.register({ phone, password: 'correct horse', name: 'Buyer' });
      await app.identity.addEvidence(user.id, { source: IN_PERSON_SOURCE, grantedLevel: 'I', reference: 'desk', verifiedBy: 'operator' });
      const minor = BigInt(fundYuan.replace('.', ''));
      if (minor > 0n)
        await app.wallet.adjust({ userId: user.id, amountMinor: minor, currency: 'CNY', direction: 'credit', reason: 'test', requestId: `fund-${user.id}` });
      else await app.wallet.openWallet(user.id);
      return user.id;
    },
    async posted(id) {
      const a = await account(id);
      return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
    },
    async pendingIn(id) {
      return (await account(id))?.creditsPending ?? 0n;
    },
    async revenue() {
      const a = await account(platformRevenueAccountId('CNY'));
      return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n);
    },
    async wallet(userId) {
      const a = await account(walletAccountId(userId));
      return (a?.creditsPosted ?? 0n) - (a?.debitsPosted ?? 0n) - (a?.debitsPending ?? 0n);
    },
    async audit() {
      await app.engine.drained();
      return (await verifyStore(app.store)).problems;
    },
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (schema) {
        const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    },
  };
}

/** A notification as a form of its event's own fields (values as text) and its notifyId. */
export function eventFormBody(n: NotificationRecord): string {
  const fields = n.content.kind === 'event' ? Object.entries(n.content.event).filter(([, v]) => v !== undefined) : Object.entries(n.content.fields);
  return new URLSearchParams([['notifyId', n.notifyId], ...fields.map(([k, v]): [string, string] => [k, String(v)])]).toString();
}

export function storesUnderTest(): ('sqlite' | 'postgres')[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}
