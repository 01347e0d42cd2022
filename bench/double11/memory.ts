// The soak's memory samples of the API process: resident memory from /proc, and from its own
// /metrics the V8 heap in use and the memory held outside the heap (Buffers). Resident memory
// alone cannot tell a leak from SQLite's page cache filling up to its bound (cache_size per
// connection); the heap can: a leak grows it hold after hold, a warm cache does not.
import fs from 'node:fs';

export interface MemorySample {
  readonly residentMiB: number | null;
  readonly heapUsedMiB: number | null;
  readonly externalMiB: number | null;
}

const MIB = 1024 * 1024;

/** The server's resident memory in MiB, from /proc (Linux). */
function residentMiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** One gauge of the Prometheus text exposition, in MiB, or null when absent. */
function gaugeMiB(text: string, name: string): number | null {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Math.round(Number(match[1]) / MIB) : null;
}

async function metricsText(url: string, token: string): Promise<string> {
  try {
    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    return response.ok ? await response.text() : '';
  } catch {
    return '';
  }
}

export async function sampleMemory(server: { url: string; pid: number }, token: string): Promise<MemorySample> {
  const text = await metricsText(server.url, token);
  return {
    residentMiB: residentMiB(server.pid),
    heapUsedMiB: gaugeMiB(text, 'nodejs_heap_size_used_bytes'),
    externalMiB: gaugeMiB(text, 'nodejs_external_memory_bytes'),
  };
}

/** The samples as three lines of MiB figures, with the first and last third's means of the heap. */
export function memoryLines(samples: readonly MemorySample[], everySeconds: number): string[] {
  if (samples.length === 0) return [];
  const series = (pick: (s: MemorySample) => number | null) => samples.map((s) => pick(s) ?? '-').join(' ');
  const lines = [
    `server resident memory (MiB, every ${everySeconds} s): ${series((s) => s.residentMiB)}`,
    `server V8 heap used (MiB, same instants): ${series((s) => s.heapUsedMiB)}`,
    `server memory outside the heap (MiB, same instants): ${series((s) => s.externalMiB)}`,
  ];
  const heap = samples.map((s) => s.heapUsedMiB).filter((v): v is number => v !== null);
  const third = Math.floor(heap.length / 3);
  if (third > 0) {
    const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
    lines.push(`V8 heap used, mean of the first third ${mean(heap.slice(0, third))} MiB, of the last third ${mean(heap.slice(-third))} MiB`);
  }
  return lines;
}
