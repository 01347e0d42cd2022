// The sandbox's clock: it runs at the pace of a base clock (the wall clock) from a chosen start,
// and jumps forward on demand. It never goes back, and its lead over the base clock is kept in a
// small file of the data directory, so a restart of the same sandbox resumes at the same time.
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../engine/clock.ts';
import { SandboxError } from './sandbox-errors.ts';

export const SANDBOX_CLOCK_FILE = 'sandbox-clock.json';

interface SavedClock {
  /** The sandbox time minus the base clock's time. */
  offset_ms: number;
  /** The latest time the sandbox reached: the floor even if the base clock is later set back. */
  reached_ms: number;
}

export class SandboxClock implements Clock {
  private offsetMs: number;
  private reachedMs: number;

  private constructor(
    private readonly base: Clock,
    private readonly file: string,
    saved: SavedClock,
  ) {
    this.offsetMs = saved.offset_ms;
    this.reachedMs = saved.reached_ms;
  }

  /** Resumes the saved clock of `dataDir`, or starts a new one at `startMs` (default: the base clock's now). */
  static open(dataDir: string, base: Clock, startMs?: number): SandboxClock {
    const file = path.join(dataDir, SANDBOX_CLOCK_FILE);
    const saved = readSaved(file);
    if (saved) return new SandboxClock(base, file, saved);
    const start = startMs ?? base.now();
    const clock = new SandboxClock(base, file, { offset_ms: start - base.now(), reached_ms: start });
    clock.save(start);
    return clock;
  }

  now(): number {
    this.reachedMs = Math.max(this.base.now() + this.offsetMs, this.reachedMs);
    return this.reachedMs;
  }

  /** Refuses a time before now with `clock_backwards`. */
  requireNotBefore(targetMs: number): void {
    const now = this.now();
    if (targetMs < now) {
      throw new SandboxError('clock_backwards', `the sandbox clock is at ${new Date(now).toISOString()} and never goes back`, {
        now: new Date(now).toISOString(),
      });
    }
  }

  /** Moves to `targetMs` (a no-op when time has already passed it); saves nothing, see `save`. */
  jumpTo(targetMs: number): void {
    if (targetMs <= this.now()) return;
    this.offsetMs = targetMs - this.base.now();
    this.reachedMs = targetMs;
  }

  /** Records that the clock will be at least at `atLeastMs`, before it gets there: a crash mid-way never resumes earlier. */
  save(atLeastMs: number): void {
    const reached = Math.max(atLeastMs, this.now());
    const saved: SavedClock = { offset_ms: reached - this.base.now(), reached_ms: reached };
    const temp = `${this.file}.tmp`;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.writeFileSync(temp, JSON.stringify(saved));
    fs.renameSync(temp, this.file);
  }
}

function readSaved(file: string): SavedClock | undefined {
  if (!fs.existsSync(file)) return undefined;
  const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as SavedClock;
  if (!Number.isFinite(saved.offset_ms) || !Number.isFinite(saved.reached_ms)) throw new Error(`${file} is not a sandbox clock`);
  return saved;
}

/** FORMICA_SANDBOX_START as epoch milliseconds; undefined when unset. */
export function parseSandboxStart(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new Error(`FORMICA_SANDBOX_START must be an ISO 8601 time, not '${value}'`);
  return ms;
}
