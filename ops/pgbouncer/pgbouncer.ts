// A pgbouncer on this machine, in a directory of its own, in front of one PostgreSQL: for the test
// that runs several API processes through one pooler (test/pgbouncer-postgres.test.ts) and for
// trying it by hand. It renders pgbouncer.ini and userlist.txt beside this file, listens on a free
// loopback port and trusts the loopback only. Production: docs/operations/postgresql-ha.md.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer'];
const START_TIMEOUT_MS = 15_000;
const POLL_MS = 50;

export type PoolMode = 'session' | 'transaction';

export interface PgbouncerOptions {
  readonly poolMode: PoolMode;
  /** The PostgreSQL behind it: a URL whose host and port are used (127.0.0.1:5432 by default). */
  readonly serverUrl?: string;
  readonly defaultPoolSize?: number;
  readonly maxClientConn?: number;
}

export interface Pgbouncer {
  readonly dir: string;
  readonly port: number;
  readonly poolMode: PoolMode;
  /** `serverUrl` with its host and port replaced by the pooler's: the same user and database. */
  urlFor(serverUrl: string): string;
  stop(): Promise<void>;
}

/** How to run pgbouncer here: it refuses root, so root runs it as `postgres`. */
interface Launcher {
  readonly binary: string;
  readonly runAs: readonly string[];
  readonly owner?: { uid: number; gid: number };
}

/** Why no pgbouncer can be started on this machine, or null when one can. */
export function pgbouncerUnavailable(): string | null {
  const launcher = findLauncher();
  return typeof launcher === 'string' ? launcher : null;
}

function findLauncher(): Launcher | string {
  const binary = CANDIDATES.find((candidate) => fs.existsSync(candidate));
  if (!binary) return `pgbouncer is not installed (looked for ${CANDIDATES.join(', ')})`;
  if (process.getuid?.() !== 0) return canRun(binary, []) ? { binary, runAs: [] } : `this user cannot run ${binary}`;
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) return 'running as root, and there is no postgres user to run pgbouncer as';
  const runAs = ['runuser', '-u', 'postgres', '--'];
  return canRun(binary, runAs) ? { binary, runAs, owner: { uid, gid } } : `the postgres user cannot run ${binary}`;
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const id = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : undefined;
}

function canRun(binary: string, runAs: readonly string[]): boolean {
  const [command, ...args] = [...runAs, binary, '--version'];
  return spawnSync(command, args).status === 0;
}

/** Renders the template beside this file: every `@NAME@` from `values`, none left over. */
export function renderTemplate(file: string, values: Record<string, string | number>): string {
  return fs.readFileSync(path.join(HERE, file), 'utf8').replace(/@([A-Z_]+)@/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${file}: no value for ${whole}`);
    return String(value);
  });
}

/** Starts a pgbouncer in `dir` (created, and owned by the user pgbouncer runs as) on a free port. */
export async function startPgbouncer(dir: string, options: PgbouncerOptions): Promise<Pgbouncer> {
  const launcher = findLauncher();
  if (typeof launcher === 'string') throw new Error(launcher);
  const server = new URL(options.serverUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const port = await freePort();
  fs.mkdirSync(dir, { recursive: true });
  const values = {
    SERVER_HOST: server.hostname,
    SERVER_PORT: server.port || '5432',
    LISTEN_ADDR: '127.0.0.1',
    LISTEN_PORT: port,
    AUTH_TYPE: 'trust',
    DIR: dir,
    POOL_MODE: options.poolMode,
    DEFAULT_POOL_SIZE: options.defaultPoolSize ?? 50,
    MAX_CLIENT_CONN: options.maxClientConn ?? 200,
    USER: decodeURIComponent(server.username) || 'postgres',
  };
  const ini = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(ini, renderTemplate('pgbouncer.ini', values));
  fs.writeFileSync(path.join(dir, 'userlist.txt'), renderTemplate('userlist.txt', values));
  if (launcher.owner)
    for (const file of [dir, ...fs.readdirSync(dir).map((f) => path.join(dir, f))]) fs.chownSync(file, launcher.owner.uid, launcher.owner.gid);

  const [command, ...args] = [...launcher.runAs, launcher.binary, '-d', ini];
  try {
    await run(command, args, { timeout: START_TIMEOUT_MS });
    await waitUntilListening(port);
  } catch (error) {
    await stopPgbouncer(dir);
    throw new Error(`pgbouncer did not start: ${String(error)}\n${logTail(dir)}`);
  }
  return {
    dir,
    port,
    poolMode: options.poolMode,
    urlFor(serverUrl) {
      const url = new URL(serverUrl);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    stop: () => stopPgbouncer(dir),
  };
}

function logTail(dir: string): string {
  const log = path.join(dir, 'pgbouncer.log');
  return fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').slice(-10).join('\n') : '(no log)';
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
    probe.on('error', reject);
  });
}

async function waitUntilListening(port: number): Promise<void> {
  for (let waited = 0; waited < START_TIMEOUT_MS; waited += POLL_MS) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${START_TIMEOUT_MS} ms`);
}

/** Stops the pgbouncer of `dir` (SIGTERM: at once, its clients are cut) and removes `dir`. */
export async function stopPgbouncer(dir: string): Promise<void> {
  const pid = pidOf(dir);
  if (pid !== undefined && isRunning(pid)) {
    process.kill(pid, 'SIGTERM');
    for (let waited = 0; isRunning(pid) && waited < START_TIMEOUT_MS; waited += POLL_MS) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function pidOf(dir: string): number | undefined {
  const file = path.join(dir, 'pgbouncer.pid');
  if (!fs.existsSync(file)) return undefined;
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
