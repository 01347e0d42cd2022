// Optional persistence of the simulator as one JSON file, so a restart keeps cards, tokens and
// operations. Writes are coalesced (one per turn of the event loop) and atomic (write, then rename).
import { type Persistence, readState, saveOnChange } from '../state-file.ts';
import type { BankSimulator } from './simulator.ts';

const FILE_NAME = 'bank-sim.json';
const FORMAT_VERSION = 1;

export type { Persistence } from '../state-file.ts';

export function persistTo(simulator: BankSimulator, dataDir: string): Persistence {
  const text = readState(dataDir, FILE_NAME);
  if (text !== undefined) load(simulator, text);
  return saveOnChange(dataDir, FILE_NAME, simulator, () => serialize(simulator));
}

function serialize(simulator: BankSimulator): string {
  return JSON.stringify({
    version: FORMAT_VERSION,
    cards: simulator.cards.snapshot(),
    customers: simulator.cards.customerSnapshot(),
    bindings: simulator.bindings.snapshot(),
    operations: simulator.operations.snapshot(),
    banks: simulator.runtimeSnapshot(),
  });
}

function load(simulator: BankSimulator, text: string): void {
  const data = JSON.parse(text);
  if (data.version !== FORMAT_VERSION) throw new Error(`${FILE_NAME}: unsupported format version ${data.version}`);
  simulator.cards.restore(data.cards, data.customers);
  simulator.bindings.restore(data.bindings);
  simulator.operations.restore(data.operations);
  simulator.restoreRuntime(data.banks);
}
