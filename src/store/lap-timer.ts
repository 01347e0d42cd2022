// Phase timing for a store's write groups: each call answers the milliseconds since the last one.

/** A stopwatch started now; each call returns the ms since the previous call (or the start). */
export function lapTimer(): () => number {
  let mark = performance.now();
  return () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return ms;
  };
}
