// What a phone downloads before the wallet can draw: index.html and every file it names (the entry
// script, the chunks it preloads, the styles, the icon), counted as the server sends them,
// gzip and brotli compressed. Screens loaded on demand (the operator's pages, the dashboard's
// charts) are not part of it. The build prints it; a test holds it under FIRST_LOAD_BUDGET_BYTES.
import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export const FIRST_LOAD_BUDGET_BYTES = 150 * 1024;
const BASE = '/app/';

export interface FirstLoad {
  readonly files: readonly string[];
  readonly rawBytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
}

/** The files under `dist` that index.html names by src= or href=, index.html first. */
function namedFiles(dist: string): string[] {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const named = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  const local = named.filter((url) => url.startsWith(BASE)).map((url) => url.slice(BASE.length));
  return ['index.html', ...new Set(local)].filter((file) => fs.existsSync(path.join(dist, file)));
}

export function measureFirstLoad(dist: string): FirstLoad {
  const files = namedFiles(dist);
  let rawBytes = 0;
  let gzipBytes = 0;
  let brotliBytes = 0;
  for (const file of files) {
    const bytes = fs.readFileSync(path.join(dist, file));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
    brotliBytes += brotliCompressSync(bytes).length;
  }
  return { files, rawBytes, gzipBytes, brotliBytes };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export function describeFirstLoad(load: FirstLoad): string {
  return (
    `wallet first load: ${kb(load.gzipBytes)} gzip, ${kb(load.brotliBytes)} brotli (${kb(load.rawBytes)} uncompressed, ` +
    `${load.files.length} files; budget ${kb(FIRST_LOAD_BUDGET_BYTES)} compressed)`
  );
}
