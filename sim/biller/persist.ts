// Optional persistence as one JSON file, so a restarted simulator still knows the payments it
// took. Writes are coalesced (one per turn of the event loop) and atomic (write, then rename).
import { type Persistence, readState, saveOnChange } from '../state-file.ts';
import type { BillerSimulator, SimSnapshot } from './simulator.ts';

const FILE_NAME = 'biller-sim.json';

export function persistTo(simulator: BillerSimulator, dataDir: string): Persistence {
  const text = readState(dataDir, FILE_NAME);
  if (text !== undefined) simulator.restore(JSON.parse(text, revive) as SimSnapshot);
  return saveOnChange(dataDir, FILE_NAME, simulator, () =>
    JSON.stringify(simulator.snapshot(), (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
  );
}

/** Amounts were written as decimal strings of fen. */
function revive(key: string, value: unknown): unknown {
  return key === 'amountMinor' && typeof value === 'string' ? BigInt(value) : value;
}
