// Optional persistence of the simulator as one JSON file, so a restart keeps cards, tokens and
// operations. Writes are coalesced (one per turn of the event loop) and atomic (write, then rename).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BankSimulator } from './simulator.ts';

const FILE_NAME = 'bank-sim.json';
const FORMAT_VERSION = 1;

export interface Persistence {
  /** Writes any pending change now and stops listening. */
  stop(): void;
}

export function persistTo(simulator: BankSimulator, dataDir: string): Persistence {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, FILE_NAME);
  load(simulator, file);
  let scheduled: NodeJS.Immediate | undefined;
  const save = () => {
    scheduled = undefined;
    writeAtomically(file, serialize(simulator));
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

function serialize(simulator: BankSimulator): string {
  return JSON.stringify({
    version: FORMAT_VERSION,
    cards: simulator.cards.snapshot(),
    bindings: simulator.bindings.snapshot(),
    operations: simulator.operations.snapshot(),
    banks: simulator.runtimeSnapshot(),
  });
}

function load(simulator: BankSimulator, file: string): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const data = JSON.parse(text);
  if (data.version !== FORMAT_VERSION) throw new Error(`${FILE_NAME}: unsupported format version ${data.version}`);
  simulator.cards.restore(data.cards);
  simulator.bindings.restore(data.bindings);
  simulator.operations.restore(data.operations);
  simulator.restoreRuntime(data.banks);
}

function writeAtomically(file: string, text: string): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, text);
  renameSync(temporary, file);
}
