// The earliest of several "next due" instants, any of which may be absent (null).
export function earliest(...times: readonly (number | null)[]): number | null {
  const known = times.filter((t): t is number => t !== null);
  return known.length === 0 ? null : Math.min(...known);
}
