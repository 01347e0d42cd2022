// The campaign's reveal at scale: for each size (default 10,000, 100,000 and 1,000,000 winners) a
// fresh store, a funded campaign and that many complete sets planted, then the reveal timed end to
// end (winners fixed, wallets opened, batches paid). Prints the time, winners per second and the
// time per winner (flat when the reveal is linear) and checks every fen: paid plus the remainder is
// the pool, the pool account holds the remainder. Run: npx tsx bench/campaign-reveal.ts
// (DATABASE_URL for PostgreSQL; CAMPAIGN_WINNERS=10000,50000 to choose the sizes).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createFormica } from '../src/app.ts';
import { campaignPoolAccountId } from '../src/modules/books/chart.ts';
import { plantCompleteSets } from '../src/modules/campaign/campaign-test-support.ts';

const SIZES = (process.env.CAMPAIGN_WINNERS ?? '10000,100000,1000000').split(',').map(Number);
/** 215,000,000.00 CNY, the 2016 pool. */
const POOL_MINOR = 21_500_000_000n;

async function revealOnce(winners: number): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-bench-reveal-'));
  const schema = process.env.DATABASE_URL ? `b_${randomBytes(6).toString('hex')}` : undefined;
  const app = await createFormica({ dataDir, databaseUrl: process.env.DATABASE_URL, databaseSchema: schema, runJobs: false });
  try {
    const campaignId = 'bench';
    await app.campaigns.create({
      campaignId,
      name: 'bench',
      poolMinor: POOL_MINOR,
      currency: 'CNY',
      odds: { 富强: 1, 爱国: 1, 和谐: 1, 友善: 1, 敬业: 1 },
      dailyCardCap: 5,
      revealAt: Date.now() + 86_400_000,
      split: 'equal',
    });
    await plantCompleteSets(
      app.sql,
      campaignId,
      Array.from({ length: winners }, (_, i) => `usr_bench_${i}`),
    );
    const started = performance.now();
    const result = await app.campaigns.reveal(campaignId);
    const seconds = (performance.now() - started) / 1000;
    const pool = await app.store.getAccount(campaignPoolAccountId(campaignId));
    const left = (pool?.creditsPosted ?? 0n) - (pool?.debitsPosted ?? 0n);
    const ok =
      result.winners === winners && result.paidWinners === winners && result.paidMinor + result.remainderMinor === POOL_MINOR && left === result.remainderMinor;
    console.log(
      `reveal ${String(winners).padStart(9)} winners  ${seconds.toFixed(1).padStart(7)} s  ${Math.round(winners / seconds)
        .toLocaleString('en')
        .padStart(8)} winners/s  ` +
        `${((seconds * 1e6) / winners).toFixed(1).padStart(7)} µs/winner  paid ${result.paidMinor} + remainder ${result.remainderMinor} = ${POOL_MINOR} fen  ${ok ? 'OK' : 'FAILED'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (schema) {
      const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  }
}

for (const size of SIZES) await revealOnce(size);
