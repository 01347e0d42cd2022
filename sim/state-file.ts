// A simulator's optional state file: one JSON file in its data directory, so a restart keeps what
// it knew. Writes are coalesced (one per turn of the event loop) and atomic (write, then rename).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface Persistence {
  /** Writes any pending change now and stops listening. */
  stop(): void;
}

export interface StateSource {
  /** Calls `listener` after every change; returns the unsubscribe. */
  onChange(listener: () => void): () => void;
}

/** The file's text, or undefined when there is none yet (the data directory is created). */
export function readState(dataDir: string, fileName: string): string | undefined {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, fileName);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** Saves `serialize()` to the file after each change of `source`, once per turn of the event loop. */
export function saveOnChange(dataDir: string, fileName: string, source: StateSource, serialize: () => string): Persistence {
  const file = join(dataDir, fileName);
  let scheduled: NodeJS.Immediate | undefined;
  const save = () => {
    scheduled = undefined;
    writeFileSync(`${file}.tmp`, serialize());
    renameSync(`${file}.tmp`, file);
  };
  const unsubscribe = source.onChange(() => {
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

/** A simulator's server, ready: closing it releases held answers, then writes any pending state. */
export async function readySimulator<S>(
  app: FastifyInstance,
  simulator: S,
  delays: { releaseAll(): void },
  persistence: Persistence | undefined,
): Promise<{ app: FastifyInstance; simulator: S; close(): Promise<void> }> {
  app.addHook('preClose', async () => delays.releaseAll());
  await app.ready();
  return {
    app,
    simulator,
    async close() {
      delays.releaseAll();
      await app.close();
      persistence?.stop();
    },
  };
}
