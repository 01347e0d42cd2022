// Prefixed, time-sortable ids (`trd_01J...`): readable in logs, ordered in indexes.
import { monotonicFactory } from 'ulidx';
import type { Clock } from './clock.ts';

export interface IdSource {
  next(prefix: string): string;
}

export function ulidIds(clock: Clock): IdSource {
  const ulid = monotonicFactory();
  return { next: (prefix) => `${prefix}_${ulid(clock.now())}` };
}
