// The demo data `npm start` seeds: verified users with money, created once per data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { DEMO_PASSWORD, seedDemoData } from '../src/cli/demo-data.ts';
import { ManualClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-demo-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('demo data', () => {
  it('seeds verified, funded users once, and the ledger stays consistent', async () => {
    const app = await createFormica({ dataDir, clock: new ManualClock(), runJobs: false });
    expect(await seedDemoData(app)).not.toEqual([]);
    expect(await seedDemoData(app)).toEqual([]);
    const { userId } = await app.identity.login({ phone: '13800000001', password: DEMO_PASSWORD });
    const wallet = await app.wallet.summary(userId);
    expect(wallet.balanceMinor).toBe(1_000_000n);
    expect(wallet.level).toBe('III');
    expect((await verifyStore(app.store)).problems).toEqual([]);
    await app.close();
  });
});
