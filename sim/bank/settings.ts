// Bank settings: defaults, validation and run-time changes (latency, failure and late-answer rates).
import type { BankConfig, BankSettings } from './sim-types.ts';

/** Long enough that any sane client timeout expires first. */
export const DEFAULT_LATE_ANSWER_MS = 30_000;

export interface SettingsPatch {
  readonly latencyMs?: number;
  readonly failureRate?: number;
  readonly timeoutRate?: number;
  readonly lateAnswerMs?: number;
}

export function resolveSettings(config: BankConfig): BankSettings {
  const settings: BankSettings = {
    code: config.code,
    name: config.name ?? config.code,
    latencyMs: config.latencyMs ?? 0,
    failureRate: config.failureRate ?? 0,
    timeoutRate: config.timeoutRate ?? 0,
    lateAnswerMs: config.lateAnswerMs ?? DEFAULT_LATE_ANSWER_MS,
    binPrefixes: [...(config.binPrefixes ?? [])],
    currencies: [...(config.currencies ?? ['CNY'])],
  };
  assertValid(settings);
  return settings;
}

export function patchSettings(settings: BankSettings, patch: SettingsPatch): BankSettings {
  const next: BankSettings = {
    ...settings,
    latencyMs: patch.latencyMs ?? settings.latencyMs,
    failureRate: patch.failureRate ?? settings.failureRate,
    timeoutRate: patch.timeoutRate ?? settings.timeoutRate,
    lateAnswerMs: patch.lateAnswerMs ?? settings.lateAnswerMs,
  };
  assertValid(next);
  return next;
}

/** Returns why the settings are impossible, or undefined. */
export function settingsProblem(s: BankSettings): string | undefined {
  if (!/^[A-Z0-9_]{2,16}$/.test(s.code)) return `bank code '${s.code}' must be 2-16 capitals or digits`;
  for (const rate of [s.failureRate, s.timeoutRate]) {
    if (!(rate >= 0 && rate <= 1)) return 'rates must lie in [0, 1]';
  }
  if (s.failureRate + s.timeoutRate > 1) return 'failure_rate + timeout_rate must not exceed 1';
  for (const ms of [s.latencyMs, s.lateAnswerMs]) {
    if (!Number.isInteger(ms) || ms < 0) return 'latencies must be non-negative integers of milliseconds';
  }
  return undefined;
}

function assertValid(settings: BankSettings): void {
  const problem = settingsProblem(settings);
  if (problem) throw new RangeError(problem);
}

export function servesCard(settings: BankSettings, cardNo: string): boolean {
  return settings.binPrefixes.length === 0 || settings.binPrefixes.some((p) => cardNo.startsWith(p));
}

/** What happens to one debit or credit: one draw per new request keeps a seeded run reproducible. */
export type Fate = 'answer' | 'decline' | 'late';

export function drawFate(settings: BankSettings, draw: number): Fate {
  if (draw < settings.failureRate) return 'decline';
  if (draw < settings.failureRate + settings.timeoutRate) return 'late';
  return 'answer';
}
