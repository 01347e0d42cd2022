// A job is stopped before what it uses closes (app.close): stopping must wait for the run in flight.
import { describe, expect, it } from 'vitest';
import { PeriodicJob } from './jobs.ts';

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('periodic job', () => {
  it('stops only once the run in flight has ended', async () => {
    const release = gate();
    const events: string[] = [];
    const job = new PeriodicJob(
      'test',
      60_000,
      async () => {
        events.push('run started');
        await release.opened;
        events.push('run ended');
      },
      () => {},
    );
    const running = job.tick();
    const stopped = job.stop().then(() => events.push('stopped'));
    await Promise.resolve();
    expect(events).toEqual(['run started']);
    release.open();
    await Promise.all([running, stopped]);
    expect(events).toEqual(['run started', 'run ended', 'stopped']);
  });

  it('stops even when the run in flight fails, and skips a tick that overlaps a run', async () => {
    const release = gate();
    let runs = 0;
    const job = new PeriodicJob(
      'test',
      60_000,
      async () => {
        runs += 1;
        await release.opened;
        throw new Error('bank unreachable');
      },
      () => {},
    );
    const first = job.tick().catch((error: Error) => error.message);
    await job.tick();
    expect(runs).toBe(1);
    const stopped = job.stop();
    release.open();
    await expect(first).resolves.toBe('bank unreachable');
    await expect(stopped).resolves.toBeUndefined();
  });
});
