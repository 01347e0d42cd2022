// Every text response goes out compressed when the client asks for it: the API's JSON, the hosted
// checkout's HTML, the web app's page and its script bundle, in brotli and gzip, and each decodes
// to what an uncompressed request gets. The wallet's first load, counted compressed as the build
// prints it, stays within its budget.
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuild, WEB_DIST } from '../web/build.ts';
import { FIRST_LOAD_BUDGET_BYTES, measureFirstLoad } from '../web/first-load.ts';
import { startTestServer, type TestServer } from './support/test-server.ts';

interface RawReply {
  readonly status: number;
  readonly encoding: string | undefined;
  readonly type: string | undefined;
  readonly body: Buffer;
}

/** A GET whose body is left as sent (fetch would decode it), asking for `encoding` or for none. */
function rawGet(url: string, encoding?: string): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const headers = encoding ? { 'accept-encoding': encoding } : {};
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            encoding: response.headers['content-encoding'],
            type: response.headers['content-type'],
            body: Buffer.concat(chunks),
          }),
        );
      })
      .on('error', reject);
  });
}

const DECODE: Record<string, (body: Buffer) => Buffer> = { br: brotliDecompressSync, gzip: gunzipSync };

describe('compression', () => {
  let server: TestServer;
  let checkoutPath: string;
  let bundlePath: string;

  beforeAll(async () => {
    expect(await ensureWebBuild()).not.toBe('no-vite');
    server = await startTestServer();
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const merchant = await server.app.merchants.create({
      name: 'Tea House',
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      feeBps: 60,
      notifyUrl: undefined,
    });
    const { trade } = await server.app.trades.precreate(merchant.merchantId, { outTradeNo: 'gz-1', subject: 'Tea', totalAmountMinor: 100n });
    checkoutPath = `/checkout/${trade.tradeNo}`;
    bundlePath = measureFirstLoad(WEB_DIST).files.find((file) => file.endsWith('.js'))!;
  });
  afterAll(async () => server?.close());

  const cases = () => [
    { name: 'API JSON', path: '/openapi.json', type: /application\/json/ },
    { name: 'checkout HTML', path: checkoutPath, type: /text\/html/ },
    { name: 'web app HTML', path: '/app/activity', type: /text\/html/ },
    { name: 'web app script', path: `/app/${bundlePath}`, type: /javascript/ },
  ];

  for (const encoding of ['br', 'gzip']) {
    it(`answers the API's JSON, the pages and the bundle in ${encoding}, decoding to the plain answer`, async () => {
      for (const c of cases()) {
        const plain = await rawGet(`${server.url}${c.path}`);
        expect(plain.status, `${c.name} ${plain.body.toString().slice(0, 300)}`).toBe(200);
        expect(plain.encoding, c.name).toBeUndefined();
        const packed = await rawGet(`${server.url}${c.path}`, encoding);
        expect(packed.status, c.name).toBe(200);
        expect(packed.type, c.name).toMatch(c.type);
        expect(packed.encoding, c.name).toBe(encoding);
        expect(packed.body.length, c.name).toBeLessThan(plain.body.length);
        const decoded = DECODE[encoding](packed.body).toString('utf8');
        // The checkout stamps the server's time into the page, so it is compared by its shape.
        if (c.path === checkoutPath) expect(decoded, c.name).toContain('Tea House');
        else expect(decoded, c.name).toBe(plain.body.toString('utf8'));
      }
    });
  }

  it(`keeps the wallet's first load within ${FIRST_LOAD_BUDGET_BYTES / 1024} KB compressed, as the build reports it`, () => {
    const load = measureFirstLoad(WEB_DIST);
    expect(load.files[0]).toBe('index.html');
    expect(load.files.some((file) => file.endsWith('.js'))).toBe(true);
    expect(load.gzipBytes).toBeLessThanOrEqual(FIRST_LOAD_BUDGET_BYTES);
    expect(load.brotliBytes).toBeLessThanOrEqual(load.gzipBytes);
  });
});
