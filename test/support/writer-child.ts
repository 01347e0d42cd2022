// A writer child process for the crash tests: spawned with tsx, its stdout read as lines of
// `kind a b` (`ack <id>`, `chain <id> <id>`, or a kind the test handles), then SIGKILLed mid-flight.
import { type ChildProcess, spawn } from 'node:child_process';

export interface WriterChild {
  readonly child: ChildProcess;
  /** Ids the child says were acknowledged, and the linked pairs it wrote. */
  readonly acknowledged: string[];
  readonly chains: [string, string][];
  /** Resolves once `enough()` holds after a chunk of lines; rejects if the child exits first. */
  until(enough: () => boolean): Promise<void>;
  /** SIGKILL, as a crash would; resolves once the child is gone. */
  kill(): Promise<void>;
}

export function startWriterChild(script: string, args: readonly string[], onLine?: (kind: string, a: string, b: string) => void): WriterChild {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: string[] = [];
  const chains: [string, string][] = [];
  let errors = '';
  child.stderr?.on('data', (chunk) => {
    errors += chunk;
  });
  let partial = '';
  const checks: (() => void)[] = [];
  child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const [kind, a, b] = line.split(' ');
      if (kind === 'ack') acknowledged.push(a);
      else if (kind === 'chain') chains.push([a, b]);
      else onLine?.(kind, a, b);
    }
    for (const check of checks) check();
  });
  return {
    child,
    acknowledged,
    chains,
    until: (enough) =>
      new Promise<void>((resolve, reject) => {
        checks.push(() => enough() && resolve());
        child.once('exit', (code) => reject(new Error(`writer exited (${code}) before the kill: ${errors}`)));
      }),
    kill: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
