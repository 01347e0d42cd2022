// Real-name levels (payment account classes) and how evidence raises them. Pure: the level is
// derived from the evidence each time, never stored, so adding evidence can only move it up.

export const LEVELS = ['none', 'I', 'II', 'III'] as const;
export type Level = (typeof LEVELS)[number];

/**
 * Remote external sources a user's evidence may come from. Policy: five are accepted, so that
 * "five external sources" (level III) is reachable remotely: the four of the issue plus the
 * public-security identity database check.
 */
export const REMOTE_SOURCES = ['bank_card', 'id_document', 'carrier', 'face', 'public_security'] as const;
export type RemoteSource = (typeof REMOTE_SOURCES)[number];

/** An operator's face-to-face check; the operator names the level it establishes (II or III). */
export const IN_PERSON_SOURCE = 'in_person';

export interface Evidence {
  readonly source: string;
  /** For in-person checks: the level the operator granted. */
  readonly grantedLevel?: Level | null;
}

const RANK: Record<Level, number> = { none: 0, I: 1, II: 2, III: 3 };

export function levelRank(level: Level): number {
  return RANK[level];
}

/** I: one remote source; II: three (or face to face); III: five (or face to face at III). */
export function deriveLevel(evidence: readonly Evidence[]): Level {
  const remote = new Set(evidence.filter((e) => e.source !== IN_PERSON_SOURCE).map((e) => e.source)).size;
  let level: Level = remote >= 5 ? 'III' : remote >= 3 ? 'II' : remote >= 1 ? 'I' : 'none';
  for (const e of evidence) {
    if (e.source === IN_PERSON_SOURCE && e.grantedLevel && RANK[e.grantedLevel] > RANK[level]) level = e.grantedLevel;
  }
  return level;
}

/** Level III may also buy investment products (the fund). */
export function mayInvest(level: Level): boolean {
  return level === 'III';
}
