// `formica sandbox` run as a developer runs it, in its own process on a free port: it prints an
// alipay-sdk configuration that works as pasted, against a platform whose clock the operator moves.
import fs from 'node:fs';
import path from 'node:path';
import { AlipaySdk } from 'alipay-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from './support/http.ts';
import { freePort, type ServerProcess, startServerProcess } from './support/server-process.ts';

process.env.TZ = 'Asia/Shanghai';

const TOKEN = 'sandbox-cli-test-token-0123456789abcdef';

/** Waits (bounded) until the process has printed the whole configuration. */
async function printedConfiguration(server: ServerProcess): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (/\n\}\);/.test(server.output())) return server.output();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no configuration printed:\n${server.output()}`);
}

function field(output: string, pattern: RegExp): string {
  const match = pattern.exec(output);
  if (!match) throw new Error(`${pattern} not in:\n${output}`);
  return JSON.parse(match[1]) as string;
}

describe('formica sandbox', () => {
  let server: ServerProcess;
  let output = '';

  beforeAll(async () => {
    server = await startServerProcess(
      {
        FORMICA_ADMIN_TOKEN: TOKEN,
        FORMICA_BANK_SIM_PORT: String(await freePort()),
        FORMICA_BILLER_SIM_PORT: String(await freePort()),
        FORMICA_SANDBOX_START: '2026-03-01T00:00:00Z',
      },
      ['sandbox'],
    );
    output = await printedConfiguration(server);
  }, 60_000);

  afterAll(async () => {
    await server?.kill('SIGTERM');
    const keyFile = /fs\.readFileSync\(("[^"]+")/.exec(output)?.[1];
    if (keyFile) fs.rmSync(path.dirname(JSON.parse(keyFile)), { recursive: true, force: true });
  });

  it('prints an alipay-sdk configuration that creates a trade as pasted, with the private key kept 0600', async () => {
    const privateKeyFile = field(output, /fs\.readFileSync\(("[^"]+")/);
    expect(fs.statSync(privateKeyFile).mode & 0o777).toBe(0o600);
    const sdk = new AlipaySdk({
      appId: field(output, /appId: ("[^"]+")/),
      privateKey: fs.readFileSync(privateKeyFile, 'ascii'),
      alipayPublicKey: field(output, /alipayPublicKey: ("(?:[^"\\]|\\.)+")/),
      gateway: field(output, /gateway: ("[^"]+")/),
      endpoint: field(output, /endpoint: ("[^"]+")/),
    });
    expect(field(output, /endpoint: ("[^"]+")/)).toBe(server.url);
    const created = await sdk.exec(
      'alipay.trade.precreate',
      { bizContent: { outTradeNo: `cli-${Date.now()}`, totalAmount: '1.00', subject: 'Tea' } },
      { validateSign: true },
    );
    expect(created).toMatchObject({ code: '10000', qrCode: expect.any(String) });
    expect(output).toContain('Demo users');
    expect(output).toContain(`${server.url}/sandbox/`);
  });

  it('starts the clock where FORMICA_SANDBOX_START says and moves it on the operator token', async () => {
    const clock = await send(`${server.url}/v1/sandbox/clock`, TOKEN, 'GET');
    expect(Date.parse(clock.body.now)).toBeGreaterThanOrEqual(Date.parse('2026-03-01T00:00:00Z'));
    expect(Date.parse(clock.body.now)).toBeLessThan(Date.parse('2026-03-01T01:00:00Z'));
    const moved = await send(`${server.url}/v1/sandbox/clock`, TOKEN, 'POST', { advance_seconds: 86_400 });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(Date.parse(moved.body.now)).toBeGreaterThanOrEqual(Date.parse('2026-03-02T00:00:00Z'));
  });
});
