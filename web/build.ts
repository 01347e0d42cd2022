// Builds the web app into web/dist when it is missing or older than its sources: `npm start` runs
// this first (prestart), and so does the browser test. `--force` builds regardless. Where vite is
// not installed (npm install --omit=dev) it says so and the server runs without /app/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeFirstLoad, measureFirstLoad } from './first-load.ts';

const WEB = path.dirname(fileURLToPath(import.meta.url));
export const WEB_DIST = path.join(WEB, 'dist');
const DIST_INDEX = path.join(WEB_DIST, 'index.html');
const SOURCES = [
  path.join(WEB, 'src'),
  path.join(WEB, 'public'),
  path.join(WEB, 'index.html'),
  path.join(WEB, 'vite.config.ts'),
  path.join(WEB, '..', 'package-lock.json'),
];

function newestMtimeMs(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestMtimeMs(path.join(entry, name))), stat.mtimeMs);
}

export function webBuildIsFresh(): boolean {
  const built = fs.statSync(DIST_INDEX, { throwIfNoEntry: false });
  return built !== undefined && built.mtimeMs >= Math.max(...SOURCES.map(newestMtimeMs));
}

export type BuildOutcome = 'fresh' | 'built' | 'no-vite';

export async function ensureWebBuild(options: { force?: boolean } = {}): Promise<BuildOutcome> {
  if (!options.force && webBuildIsFresh()) return 'fresh';
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    return 'no-vite';
  }
  await vite.build({ configFile: path.join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  return 'built';
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const outcome = await ensureWebBuild({ force: process.argv.includes('--force') });
  if (outcome === 'built') console.log(`web app built into web/dist in ${Math.round(performance.now() - started)} ms`);
  if (outcome !== 'no-vite') console.log(describeFirstLoad(measureFirstLoad(WEB_DIST)));
  if (outcome === 'no-vite') console.warn('web app not built: vite is not installed (npm install without --omit=dev); /app/ will answer 503');
}
