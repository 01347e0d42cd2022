// `npm start` on a developer's machine runs the bank, biller and identity simulators beside the
// server, each as its own process, so top-ups, withdrawals, bill payments and identity checks work at once. A configured FORMICA_BANK_URL means real
// channels (or a simulator run elsewhere), and nothing is started.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
export const DEFAULT_BANK_SIM_PORT = 7070;

export const DEFAULT_BILLER_SIM_PORT = 7071;

export function startBankSimChild(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  return startSimChild('bank-sim', Number(process.env.FORMICA_BANK_SIM_PORT ?? DEFAULT_BANK_SIM_PORT), dataDir);
}

/** The biller simulator, the same way (FORMICA_BILLER_URL set means nothing is started). */
export function startBillerSimChild(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  return startSimChild('biller-sim', Number(process.env.FORMICA_BILLER_SIM_PORT ?? DEFAULT_BILLER_SIM_PORT), dataDir);
}

export const DEFAULT_IDENTITY_SIM_PORT = 7072;

/** The identity authority and SMS gateway, the same way (FORMICA_IDENTITY_URL set means nothing is started). */
export function startIdentitySimChild(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  return startSimChild('identity-sim', Number(process.env.FORMICA_IDENTITY_SIM_PORT ?? DEFAULT_IDENTITY_SIM_PORT), dataDir);
}

async function startSimChild(command: string, port: number, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const args = ['--import', 'tsx', MAIN, command, '--port', String(port), '--data-dir', path.join(dataDir, command)];
  // The IPC channel closes when the server dies, however it dies; the simulator then exits too.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${command} simulator exited with ${child.exitCode} (is port ${port} taken?)`);
    if (await healthy(url)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  child.kill();
  throw new Error(`the ${command} simulator did not start in time`);
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}
