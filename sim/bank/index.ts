// The bank simulator's public face.
export { DEFAULT_LATE_ANSWER_MS } from './settings.ts';
export type { BankSimulatorApp, BankSimulatorOptions, RunningBankSimulator } from './server.ts';
export { buildBankSimulatorApp, startBankSimulator } from './server.ts';
export type { BankConfig, BankSettings, DeclineReason, OperationRecord, SimErrorCode } from './sim-types.ts';
export { DEFAULT_CUSTOMERS } from './cards.ts';
export { DEFAULT_BANKS } from './sim-types.ts';
export type { BindingInput, CardSeed, PlantRequest, SimulatorOptions } from './simulator.ts';
export { BankSimulator } from './simulator.ts';
export { statementDay } from './statement.ts';
