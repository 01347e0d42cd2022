// Optional persistence as one JSON file, so a restarted simulator still knows the payments it
// took. Writes are coalesced (one per turn of the event loop) and atomic (write, then rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BillerSimulator, SimSnapshot } from './simulator.ts';

const FILE_NAME = 'biller-sim.json';

export function persistTo(simulator: BillerSimulator, dataDir: string): { stop(): void } {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FILE_NAME);
  if (existsSync(file)) simulator.restore(JSON.parse(readFileSync(file, 'utf8'), revive) as SimSnapshot);
  let scheduled: NodeJS.Immediate | undefined;
  const save = () => {
    scheduled = undefined;
    writeFileSync(`${file}.tmp`, JSON.stringify(simulator.snapshot(), (_key, value) => (typeof value === 'bigint' ? value.toString() : value)));
    renameSync(`${file}.tmp`, file);
  };
  const unsubscribe = simulator.onChange(() => {
    scheduled ??= setImmediate(save);
  });
  return {
    stop() {
      unsubscribe();
      if (scheduled) {
        clearImmediate(scheduled);
        save();
      }
    },
  };
}

/** Amounts were written as decimal strings of fen. */
function revive(key: string, value: unknown): unknown {
  return key === 'amountMinor' && typeof value === 'string' ? BigInt(value) : value;
}
