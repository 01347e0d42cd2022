// Optional persistence as one JSON file, so a restarted simulator keeps its register and messages.
import { type Persistence, readState, saveOnChange } from '../state-file.ts';
import type { IdentitySimSnapshot, IdentitySimulator } from './simulator.ts';

const FILE_NAME = 'identity-sim.json';

export function persistTo(simulator: IdentitySimulator, dataDir: string): Persistence {
  const text = readState(dataDir, FILE_NAME);
  if (text !== undefined) simulator.restore(JSON.parse(text) as IdentitySimSnapshot);
  return saveOnChange(dataDir, FILE_NAME, simulator, () => JSON.stringify(simulator.snapshot()));
}
