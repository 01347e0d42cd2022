// Child processes of the HTTP section: a server (started, awaited until it prints its address,
// stopped with SIGTERM and then SIGKILL) and the load worker (bounded in time, one JSON line out).
import { type ChildProcess, spawn } from 'node:child_process';
import type { LoadPlan, LoadResult } from './http-workload.ts';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;
/** Beyond warm-up and measurement, what a load worker may take to start and report. */
const LOAD_SLACK_MS = 30_000;
/** The project root: children resolve `tsx` and relative paths from here. */
const ROOT = new URL('..', import.meta.url).pathname;

export interface ServerChild {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** With FORMICA_BENCH_CPU_PROF=<dir>, every child writes a V8 CPU profile there when it exits, to
 *  find the bottleneck of a missed target (open it in Chrome DevTools or speedscope). */
function profileArgs(): string[] {
  const dir = process.env.FORMICA_BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function nodeWithTsx(script: string, args: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [...profileArgs(), '--import', 'tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited(child);
  clearTimeout(timer);
}

/** Collects a child's output, keeping the tail of stderr for error messages. */
function capture(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err = (err + chunk.toString()).slice(-2000);
  });
  return { stdout: () => out, stderr: () => err };
}

/** Starts `script` and resolves with the URL it prints (`listening on <url>`). */
export function startServer(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServerChild> {
  const child = nodeWithTsx(script, args, env);
  const output = capture(child);
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${script} ${why}: ${output.stderr()}`));
    };
    const timer = setTimeout(() => fail('did not start in time'), START_TIMEOUT_MS);
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout?.on('data', () => {
      const match = /listening on (http:\/\/[^\s;]+)/.exec(output.stdout());
      if (!match) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: match[1], pid: child.pid ?? 0, stop: () => stopChild(child) });
    });
  });
}

/** Runs a load worker script with one JSON argument, killed after `limitMs`; returns the JSON line it prints. */
export async function runWorker<T>(script: string, argument: unknown, limitMs: number): Promise<T> {
  const child = nodeWithTsx(script, [JSON.stringify(argument)], process.env);
  const output = capture(child);
  // The worker's progress lines (stderr) are shown as they come; its result is its last stdout line.
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  await exited(child);
  clearTimeout(timer);
  if (child.exitCode !== 0) throw new Error(`load worker failed (${child.exitCode ?? child.signalCode}): ${output.stderr()}`);
  return JSON.parse(output.stdout().trim().split('\n').at(-1) ?? '') as T;
}

/** Runs bench/http-load.ts against a server and returns its measurement. */
export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const limit = (plan.warmupSeconds + plan.measureSeconds) * 1000 + LOAD_SLACK_MS;
  return runWorker<LoadResult>(new URL('./http-load.ts', import.meta.url).pathname, plan, limit);
}
