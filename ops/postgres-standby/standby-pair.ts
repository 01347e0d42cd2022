// A PostgreSQL primary and its synchronous standby on one machine, in one directory, built with the
// server's own tools (initdb, pg_ctl, pg_basebackup): for trying a failover by hand
// (`try-standby.ts`) and for the test that proves no acknowledged transfer is lost when the
// primary dies. Production runs the two on separate machines: docs/operations/postgresql-ha.md.
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** The name the standby reports to the primary, which synchronous_standby_names waits for. */
export const STANDBY_NAME = 'formica_standby';
const NODES = ['primary', 'standby'] as const;
type NodeName = (typeof NODES)[number];
const TOOLS = ['initdb', 'pg_ctl', 'pg_basebackup', 'postgres'];
const VERSIONS_DIR = '/usr/lib/postgresql';
const START_TIMEOUT_S = 60;

export interface StandbyPair {
  readonly dir: string;
  readonly primaryUrl: string;
  readonly standbyUrl: string;
}

/** How to run the server's tools: PostgreSQL refuses root, so root runs them as `postgres`. */
interface Toolbox {
  readonly binDir: string;
  readonly runAs: readonly string[];
  /** Who must own the pair's directory. */
  readonly owner?: { uid: number; gid: number };
}

/** Why a pair cannot be built on this machine, or null when it can. */
export function standbyPairUnavailable(): string | null {
  const tools = toolbox();
  return typeof tools === 'string' ? tools : null;
}

function toolbox(): Toolbox | string {
  const binDir = newestBinDir();
  if (!binDir) return `no PostgreSQL server binaries (${TOOLS.join(', ')}) under ${VERSIONS_DIR}/<version>/bin`;
  if (process.getuid?.() !== 0) return canRun(binDir, []) ? { binDir, runAs: [] } : `this user cannot run ${binDir}/postgres`;
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === undefined || gid === undefined) return 'running as root, and there is no postgres user to run the server as';
  const runAs = ['runuser', '-u', 'postgres', '--'];
  return canRun(binDir, runAs) ? { binDir, runAs, owner: { uid, gid } } : `the postgres user cannot run ${binDir}/postgres`;
}

function newestBinDir(): string | undefined {
  if (!fs.existsSync(VERSIONS_DIR)) return undefined;
  const versions = fs
    .readdirSync(VERSIONS_DIR)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => path.join(VERSIONS_DIR, v, 'bin')).find((dir) => TOOLS.every((tool) => fs.existsSync(path.join(dir, tool))));
}

function idOf(flag: '-u' | '-g'): number | undefined {
  const id = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : undefined;
}

function canRun(binDir: string, runAs: readonly string[]): boolean {
  const [command, ...args] = [...runAs, path.join(binDir, 'postgres'), '--version'];
  return spawnSync(command, args).status === 0;
}

function requireToolbox(): Toolbox {
  const tools = toolbox();
  if (typeof tools === 'string') throw new Error(tools);
  return tools;
}

async function tool(tools: Toolbox, name: string, args: readonly string[]): Promise<void> {
  const [command, ...rest] = [...tools.runAs, path.join(tools.binDir, name), ...args];
  try {
    await run(command, rest, { timeout: (START_TIMEOUT_S + 10) * 1000 });
  } catch (error) {
    const { stderr = '', stdout = '' } = error as { stderr?: string; stdout?: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${stderr || stdout || String(error)}`);
  }
}

const dataDir = (dir: string, node: NodeName) => path.join(dir, node);
const logFile = (dir: string, node: NodeName) => path.join(dir, `${node}.log`);
const urlOf = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres`;

/**
 * Builds and starts the pair in `dir` (empty or missing) and waits until the primary reports the
 * standby synchronous: from then on a COMMIT returns only once the standby has flushed it too.
 */
export async function startStandbyPair(dir: string, ports: { primary: number; standby: number }): Promise<StandbyPair> {
  const tools = requireToolbox();
  fs.mkdirSync(dir, { recursive: true });
  if (tools.owner) fs.chownSync(dir, tools.owner.uid, tools.owner.gid);
  const primary = dataDir(dir, 'primary');
  await tool(tools, 'initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '--no-instructions']);
  fs.writeFileSync(path.join(primary, 'pg_hba.conf'), PRIMARY_HBA);
  fs.appendFileSync(path.join(primary, 'postgresql.conf'), primarySettings(ports.primary));
  await startNode(tools, dir, 'primary');

  const standby = dataDir(dir, 'standby');
  const source = `host=127.0.0.1 port=${ports.primary} user=postgres application_name=${STANDBY_NAME}`;
  // -R writes primary_conninfo (with the application_name above) and standby.signal.
  await tool(tools, 'pg_basebackup', ['-d', source, '-D', standby, '-R', '-X', 'stream', '-c', 'fast']);
  fs.appendFileSync(path.join(standby, 'postgresql.conf'), standbySettings(ports.standby));
  await startNode(tools, dir, 'standby');

  const pair = { dir, primaryUrl: urlOf(ports.primary), standbyUrl: urlOf(ports.standby) };
  await waitUntilSynchronous(pair);
  return pair;
}

// Trust on the loopback only: a pair for one machine. Between machines use scram-sha-256.
const PRIMARY_HBA = `# Formica standby pair on one machine
local all         all                trust
host  all         all  127.0.0.1/32  trust
host  replication all  127.0.0.1/32  trust
`;

function primarySettings(port: number): string {
  return `
# Formica standby pair: the primary
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = ''
max_connections = 40
shared_buffers = 32MB
wal_level = replica
max_wal_senders = 4
synchronous_commit = on
synchronous_standby_names = 'FIRST 1 (${STANDBY_NAME})'
`;
}

// Copied from the primary by pg_basebackup, then overridden: its own port, and no standby of its
// own to wait for once promoted (until one is attached, the promoted server commits alone).
function standbySettings(port: number): string {
  return `
# Formica standby pair: the standby
port = ${port}
synchronous_standby_names = ''
hot_standby = on
`;
}

async function startNode(tools: Toolbox, dir: string, node: NodeName): Promise<void> {
  await tool(tools, 'pg_ctl', ['-D', dataDir(dir, node), '-l', logFile(dir, node), '-w', '-t', String(START_TIMEOUT_S), 'start']);
}

/** The primary's view of the standby: 'sync', 'async', 'potential', or undefined when not connected. */
export async function standbySyncState(pair: StandbyPair): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pair.primaryUrl });
  // The primary may be killed while this asks (the failover test does it under load): the failed
  // query reports it; without a listener the connection's 'error' event would end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{ sync_state: string }>('SELECT sync_state FROM pg_stat_replication WHERE application_name = $1', [STANDBY_NAME]);
    return rows[0]?.sync_state;
  } finally {
    await client.end();
  }
}

async function waitUntilSynchronous(pair: StandbyPair): Promise<void> {
  const POLL_MS = 50;
  for (let waited = 0; waited < START_TIMEOUT_S * 1000; waited += POLL_MS) {
    if ((await standbySyncState(pair)) === 'sync') return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`the standby did not become synchronous within ${START_TIMEOUT_S} s; see ${logFile(pair.dir, 'standby')}`);
}

/** The postmaster's pid: the first line of postmaster.pid, while the server runs. */
function postmasterPid(dir: string, node: NodeName): number | undefined {
  const file = path.join(dataDir(dir, node), 'postmaster.pid');
  if (!fs.existsSync(file)) return undefined;
  return Number(fs.readFileSync(file, 'utf8').split('\n')[0]);
}

/** The primary's machine dies: its postmaster is killed with no chance to flush or say goodbye. */
export function killPrimary(pair: StandbyPair): number {
  const pid = postmasterPid(pair.dir, 'primary');
  if (pid === undefined) throw new Error('the primary is not running');
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** Makes the standby a primary that takes writes; returns once it does. */
export async function promoteStandby(pair: StandbyPair): Promise<void> {
  await tool(requireToolbox(), 'pg_ctl', ['-D', dataDir(pair.dir, 'standby'), '-w', '-t', String(START_TIMEOUT_S), 'promote']);
}

/** Stops whichever of the two still runs (immediately: nothing in it is kept) and removes `dir`. */
export async function removeStandbyPair(dir: string): Promise<void> {
  const tools = toolbox();
  for (const node of NODES) {
    if (typeof tools === 'string' || !isRunning(postmasterPid(dir, node))) continue;
    await tool(tools, 'pg_ctl', ['-D', dataDir(dir, node), '-m', 'immediate', '-w', 'stop']).catch(() => {});
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
