// The ledger conformance cases (derived from TigerBeetle's state-machine tests) through the real
// HTTP server, on every store. Waits move an injected clock and run the expiry sweep, so the
// timing cases take no wall-clock time.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualClock } from '../src/engine/clock.ts';
import { startTestServer, storesUnderTest, type TestServer } from './support/test-server.ts';

interface Step {
  op: 'accounts' | 'transfers' | 'expect_account' | 'wait';
  events?: Record<string, unknown>[];
  expect?: string[];
  id?: string;
  absent?: boolean;
  seconds?: number;
  [balance: string]: unknown;
}

const cases: { name: string; steps: Step[] }[] = JSON.parse(fs.readFileSync(new URL('./conformance/ledger-cases.json', import.meta.url), 'utf8')).cases;

const BALANCES = ['debits_pending', 'debits_posted', 'credits_pending', 'credits_posted'] as const;

function withPrefix<T>(value: T, prefix: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll('{p}', prefix));
}

async function runStep(server: TestServer, step: Step): Promise<void> {
  if (step.op === 'wait') {
    (server.clock as ManualClock).advance(Math.ceil((step.seconds ?? 0) * 1000));
    await server.app.engine.expireDue();
    return;
  }
  if (step.op === 'expect_account') {
    const { status, body } = await server.call('GET', `/v1/ledger/accounts/${step.id}`);
    if (step.absent) {
      expect(status, `${step.id} should not exist`).toBe(404);
      return;
    }
    expect(status).toBe(200);
    for (const b of BALANCES) expect(body[b], `${step.id}.${b}`).toBe(step[b]);
    return;
  }
  const { status, body } = await server.call('POST', `/v1/ledger/${step.op}`, { [step.op]: step.events });
  expect(status, JSON.stringify(body)).toBe(200);
  const results = body.results.map((r: { result: string }) => r.result);
  expect(results).toEqual(step.expect);
}

/** Each store, and PostgreSQL's log layout beside its tables layout (the embedded store's new
 *  files are in the log layout already). */
const variants = storesUnderTest().flatMap((store) => (store === 'postgres' ? [store, 'postgres-log' as const] : [store]));

describe.each(variants)('ledger conformance over HTTP (%s)', (variant) => {
  const store = variant === 'postgres-log' ? 'postgres' : variant;
  let server: TestServer;
  beforeAll(async () => {
    // The server opens PostgreSQL in the layout FORMICA_PG_LAYOUT names.
    if (variant === 'postgres-log') process.env.FORMICA_PG_LAYOUT = 'log';
    try {
      server = await startTestServer({ store });
    } finally {
      delete process.env.FORMICA_PG_LAYOUT;
    }
    if (variant === 'postgres-log') expect(server.app.store).toMatchObject({ layout: 'log' });
  });
  afterAll(async () => {
    await server.close();
  });

  cases.forEach((c, index) => {
    it(c.name, async () => {
      const prefix = `c${index}_${variant[0]}_`;
      for (const step of withPrefix(c.steps, prefix)) await runStep(server, step);
    });
  });
});
