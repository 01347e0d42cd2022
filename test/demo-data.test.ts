// The demo data `npm start` seeds: verified users with money and a bound card each, created once
// per data directory.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFormica } from '../src/app.ts';
import { DEMO_PASSWORD, seedDemoData } from '../src/cli/demo-data.ts';
import { ManualClock, systemClock } from '../src/engine/clock.ts';
import { verifyStore } from '../src/engine/verify.ts';
import { startBankSimulator } from '../sim/bank/server.ts';
import { startIdentitySim } from '../sim/identity/server.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-demo-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('demo data', () => {
  it('seeds users verified by accepted evidence, funded, with bound cards, once; the ledger stays consistent', async () => {
    const bank = await startBankSimulator({ clock: systemClock, port: 0 });
    const identity = await startIdentitySim({ clock: systemClock, port: 0 });
    const app = await createFormica({ dataDir, clock: new ManualClock(), runJobs: false, bankUrl: bank.url, identityUrl: identity.url });
    try {
      expect(await seedDemoData(app, bank.url, identity.url)).not.toEqual([]);
      expect(await seedDemoData(app, bank.url, identity.url)).toEqual([]);
      const { userId } = await app.identity.login({ phone: '13800000001', password: DEMO_PASSWORD });
      const wallet = await app.wallet.summary(userId);
      expect(wallet.balanceMinor).toBe(1_000_000n);
      expect(wallet.level).toBe('III');
      const sources = (await app.identity.profile(userId)).verifications.map((v) => `${v.source} by ${v.verifiedBy}`);
      expect(sources.sort()).toEqual(['bank_card', 'carrier', 'face', 'id_document', 'public_security'].map((s) => `${s} by user`));
      const cards = await app.cards.list(userId);
      expect(cards).toEqual([expect.objectContaining({ bank: 'ICBC', status: 'bound' })]);
      expect((await verifyStore(app.store)).problems).toEqual([]);
    } finally {
      await app.close();
      await bank.close();
      await identity.close();
    }
  });
});
