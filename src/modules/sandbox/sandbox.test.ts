// The sandbox's parts without a server: the clock's persistence and floor, the advance's time
// order and bounds over the job list, and faults applied to the bank's money calls.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../engine/clock.ts';
import { PeriodicJob } from '../../engine/jobs.ts';
import type { BankClient, MoneyRequest } from '../channels/bank-client.ts';
import { FaultRegistry } from './faults.ts';
import { faultyBankClient } from './faulty-bank.ts';
import { Sandbox } from './sandbox.ts';
import { SandboxClock } from './sandbox-clock.ts';

const HOUR = 3_600_000;
const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'formica-sandbox-unit-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the sandbox clock', () => {
  it('starts where asked, runs with its base, and resumes after a restart where it was, never earlier', async () => {
    const dir = tempDir();
    const base = new ManualClock(Date.UTC(2026, 5, 1));
    const first = SandboxClock.open(dir, base, Date.UTC(2026, 0, 1));
    expect(first.now()).toBe(Date.UTC(2026, 0, 1));
    base.advance(1_000);
    expect(first.now()).toBe(Date.UTC(2026, 0, 1) + 1_000);
    const sandbox = new Sandbox(first, base);
    await sandbox.advanceBy(HOUR);
    // A restart: the start time applies to a new data dir only, and the time reached is kept.
    const again = SandboxClock.open(dir, base, Date.UTC(2030, 0, 1));
    expect(again.now()).toBe(Date.UTC(2026, 0, 1) + 1_000 + HOUR);
    await expect(new Sandbox(again, base).advanceTo(Date.UTC(2026, 0, 1))).rejects.toMatchObject({ code: 'clock_backwards' });
  });

  it('holds its floor when the base clock is set back between runs', () => {
    const dir = tempDir();
    const late = SandboxClock.open(dir, new ManualClock(Date.UTC(2026, 5, 1)));
    late.save(Date.UTC(2026, 5, 2));
    expect(SandboxClock.open(dir, new ManualClock(Date.UTC(2026, 0, 1))).now()).toBeGreaterThanOrEqual(Date.UTC(2026, 5, 2));
  });
});

describe('advancing through the jobs', () => {
  const start = Date.UTC(2026, 0, 1);

  function sandboxAt(): Sandbox {
    const base = new ManualClock(start);
    return new Sandbox(SandboxClock.open(tempDir(), base, start), base);
  }

  it('runs each job at each instant it falls due, in time order, including work one job makes for another', async () => {
    const sandbox = sandboxAt();
    const runs: string[] = [];
    const dueA = [start + 10 * 60_000, start + 30 * 60_000];
    const dueB: number[] = [];
    const jobA = new PeriodicJob(
      'a',
      1_000,
      async () => {
        const now = sandbox.clock.now();
        while (dueA.length > 0 && dueA[0] <= now) {
          dueA.shift();
          runs.push(`a@${(now - start) / 60_000}`);
          dueB.push(now + 5 * 60_000);
        }
      },
      () => undefined,
      async () => dueA[0] ?? null,
    );
    const jobB = new PeriodicJob(
      'b',
      1_000,
      async () => {
        const now = sandbox.clock.now();
        while (dueB.length > 0 && dueB[0] <= now) {
          dueB.shift();
          runs.push(`b@${(now - start) / 60_000}`);
        }
      },
      () => undefined,
      async () => dueB[0] ?? null,
    );
    sandbox.drive([jobB, jobA], () => undefined);
    expect(await sandbox.advanceBy(HOUR)).toBe(start + HOUR);
    expect(runs).toEqual(['a@10', 'b@15', 'a@30', 'b@35']);
  });

  it('runs a job that cannot say when it is due a bounded number of times, so thirty days stay quick', async () => {
    const sandbox = sandboxAt();
    let runs = 0;
    sandbox.drive(
      [
        new PeriodicJob(
          'every-100ms',
          100,
          async () => void runs++,
          () => undefined,
        ),
      ],
      () => undefined,
    );
    await sandbox.advanceBy(30 * 24 * HOUR);
    expect(runs).toBeGreaterThan(10);
    expect(runs).toBeLessThanOrEqual(100);
  });

  it('reports a failing job and still answers, having run the others', async () => {
    const sandbox = sandboxAt();
    const errors: string[] = [];
    let ran = false;
    const broken = new PeriodicJob(
      'broken',
      1_000,
      async () => Promise.reject(new Error('boom')),
      () => undefined,
      async () => start + 1,
    );
    const fine = new PeriodicJob(
      'fine',
      1_000,
      async () => {
        ran = true;
      },
      () => undefined,
      async () => null,
    );
    sandbox.drive([broken, fine], (name) => errors.push(name));
    await sandbox.advanceBy(60_000);
    expect(ran).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    expect(new Set(errors)).toEqual(new Set(['broken']));
  });
});

describe('bank faults', () => {
  const request: MoneyRequest = { bank: 'ICBC', token: 't', amountMinor: 100n, currency: 'CNY', requestId: 'r1' };

  function countingBank() {
    const calls: string[] = [];
    const bank = {
      debit: async (r: MoneyRequest) => {
        calls.push(r.requestId);
        return { status: 'succeeded' as const, bankRef: `ref-${calls.length}` };
      },
      query: async () => ({ status: 'not_found' as const }),
    } as unknown as BankClient;
    return { bank, calls };
  }

  it('spoils the next N money calls as ordered, in order, and leaves queries alone', async () => {
    const faults = new FaultRegistry();
    const { bank, calls } = countingBank();
    const faulty = faultyBankClient(bank, faults);
    faults.add('bank', 'decline', 1);
    faults.add('bank', 'late_answer', 1);
    faults.add('bank', 'duplicate', 1);
    faults.add('bank', 'down', 1);
    expect(faults.pending()).toEqual([
      { target: 'bank', kind: 'decline', remaining: 1 },
      { target: 'bank', kind: 'late_answer', remaining: 1 },
      { target: 'bank', kind: 'duplicate', remaining: 1 },
      { target: 'bank', kind: 'down', remaining: 1 },
    ]);
    await faulty.query('ICBC', 'r0');
    expect(await faulty.debit(request)).toMatchObject({ status: 'failed', reason: 'bank_declined' });
    expect(calls).toEqual([]);
    expect(await faulty.debit(request)).toMatchObject({ status: 'unknown', cause: 'timeout' });
    expect(calls).toEqual(['r1']);
    expect(await faulty.debit(request)).toMatchObject({ status: 'succeeded' });
    expect(calls).toEqual(['r1', 'r1', 'r1']);
    expect(await faulty.debit(request)).toMatchObject({ status: 'unknown', cause: 'network' });
    expect(faults.pending()).toEqual([]);
    expect(await faulty.debit(request)).toMatchObject({ status: 'succeeded' });
  });
});
