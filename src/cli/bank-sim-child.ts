// `npm start` on a developer's machine runs the bank simulator beside the server, as its own
// process, so top-ups and withdrawals work at once. A configured FORMICA_BANK_URL means real
// channels (or a simulator run elsewhere), and nothing is started.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'main.ts');
export const DEFAULT_BANK_SIM_PORT = 7070;

export async function startBankSimChild(dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = Number(process.env.FORMICA_BANK_SIM_PORT ?? DEFAULT_BANK_SIM_PORT);
  const args = ['--import', 'tsx', MAIN, 'bank-sim', '--port', String(port), '--data-dir', path.join(dataDir, 'bank-sim')];
  // The IPC channel closes when the server dies, however it dies; the simulator then exits too.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the bank simulator exited with ${child.exitCode} (is port ${port} taken?)`);
    if (await healthy(url)) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  child.kill();
  throw new Error('the bank simulator did not start in time');
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`)).ok;
  } catch {
    return false;
  }
}
