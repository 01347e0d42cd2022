// `formica bench`: the benchmark suite of bench/, the same as `npm run bench`.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('run the ledger benchmarks and print the table (takes a few minutes)')
    .action(() => {
      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
      const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'bench/run.ts')], { stdio: 'inherit' });
      process.exitCode = run.status ?? 1;
    });
}
