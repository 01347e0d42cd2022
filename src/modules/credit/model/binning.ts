// Coarse classing: numeric columns cut at quantiles, then merged until every bin is big enough and the
// default rate moves one way across them; text columns grouped by category, rare ones pooled as "other".
// A monotone, coarse binning is what keeps a scorecard stable on the next cohort and easy to explain.
import { isMissing, parseNumber } from './table.ts';

export interface BinCount {
  readonly count: number;
  readonly bads: number;
}

export interface NumericBinning {
  readonly type: 'numeric';
  /** A present value v falls in the first bin i with v <= edges[i], else in the last bin. */
  readonly edges: readonly number[];
}

export interface CategoricalBinning {
  readonly type: 'categorical';
  /** One group per frequent category; the bin after the groups holds every other category. */
  readonly groups: readonly (readonly string[])[];
}

export type Binning = NumericBinning | CategoricalBinning;

export interface BinningOptions {
  readonly maxBins: number;
  /** The smallest share of the rows a bin may hold. */
  readonly minBinShare: number;
}

export const DEFAULT_BINNING: BinningOptions = { maxBins: 8, minBinShare: 0.05 };

/** Bins of present values; the missing bin comes after them. */
export function presentBinCount(binning: Binning): number {
  return binning.type === 'numeric' ? binning.edges.length + 1 : binning.groups.length + 1;
}

export function binOf(binning: Binning, cell: string): number {
  if (isMissing(cell)) return presentBinCount(binning);
  if (binning.type === 'categorical') {
    const group = binning.groups.findIndex((values) => values.includes(cell));
    return group < 0 ? binning.groups.length : group;
  }
  const value = parseNumber(cell);
  if (value === null) return presentBinCount(binning);
  const index = binning.edges.findIndex((edge) => value <= edge);
  return index < 0 ? binning.edges.length : index;
}

export function countBins(binning: Binning, cells: readonly string[], labels: readonly number[]): BinCount[] {
  const counts = Array.from({ length: presentBinCount(binning) + 1 }, () => ({ count: 0, bads: 0 }));
  cells.forEach((cell, i) => {
    const bin = counts[binOf(binning, cell)];
    bin.count++;
    bin.bads += labels[i];
  });
  return counts;
}

export function binNumeric(cells: readonly string[], labels: readonly number[], options: BinningOptions): NumericBinning {
  const present = cells.map((cell, i) => ({ value: parseNumber(cell), label: labels[i] })).filter((p) => p.value !== null) as {
    value: number;
    label: number;
  }[];
  present.sort((a, b) => a.value - b.value);
  let edges = quantileEdges(
    present.map((p) => p.value),
    options.maxBins,
  );
  const minCount = Math.max(1, Math.ceil(options.minBinShare * cells.length));
  edges = mergeSmallBins(edges, present, minCount);
  return { type: 'numeric', edges: mergeUntilMonotone(edges, present) };
}

function quantileEdges(sorted: readonly number[], maxBins: number): number[] {
  const edges: number[] = [];
  for (let k = 1; k < maxBins; k++) {
    const edge = sorted[Math.floor((k * sorted.length) / maxBins) - 1];
    if (edge !== undefined && edge !== edges.at(-1) && edge < sorted[sorted.length - 1]) edges.push(edge);
  }
  return edges;
}

function rangeCounts(edges: readonly number[], present: readonly { value: number; label: number }[]): BinCount[] {
  const counts = Array.from({ length: edges.length + 1 }, () => ({ count: 0, bads: 0 }));
  for (const p of present) {
    const index = edges.findIndex((edge) => p.value <= edge);
    const bin = counts[index < 0 ? edges.length : index];
    bin.count++;
    bin.bads += p.label;
  }
  return counts;
}

/** Drops the edge beside the smallest bin until every bin holds at least minCount rows. */
function mergeSmallBins(edges: number[], present: readonly { value: number; label: number }[], minCount: number): number[] {
  let current = edges;
  while (current.length > 0) {
    const counts = rangeCounts(current, present);
    const smallest = counts.reduce((best, bin, i) => (bin.count < counts[best].count ? i : best), 0);
    if (counts[smallest].count >= minCount) break;
    const neighbour =
      smallest === 0 ? 0 : smallest === counts.length - 1 ? smallest - 1 : counts[smallest - 1].count < counts[smallest + 1].count ? smallest - 1 : smallest;
    current = current.filter((_, i) => i !== neighbour);
  }
  return current;
}

/** Pools adjacent bins whose default rates go against the overall direction (pool-adjacent-violators). */
function mergeUntilMonotone(edges: number[], present: readonly { value: number; label: number }[]): number[] {
  let current = edges;
  const rate = (bin: BinCount) => bin.bads / bin.count;
  for (;;) {
    const counts = rangeCounts(current, present);
    if (counts.length < 3) return current;
    const rising = rate(counts[counts.length - 1]) >= rate(counts[0]);
    const violator = counts.findIndex((bin, i) => i > 0 && (rising ? rate(bin) < rate(counts[i - 1]) : rate(bin) > rate(counts[i - 1])));
    if (violator < 0) return current;
    current = current.filter((_, i) => i !== violator - 1);
  }
}

export function binCategorical(cells: readonly string[], options: BinningOptions): CategoricalBinning {
  const frequency = new Map<string, number>();
  for (const cell of cells) if (!isMissing(cell)) frequency.set(cell, (frequency.get(cell) ?? 0) + 1);
  const minCount = Math.max(1, Math.ceil(options.minBinShare * cells.length));
  const frequent = [...frequency.entries()]
    .filter(([, count]) => count >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, options.maxBins * 2)
    .map(([value]) => [value]);
  return { type: 'categorical', groups: frequent };
}

export function binLabels(binning: Binning): string[] {
  const present =
    binning.type === 'categorical'
      ? [...binning.groups.map((values) => values.join('|')), '(other)']
      : binning.edges
          .map((edge, i) => (i === 0 ? `<= ${edge}` : `(${binning.edges[i - 1]}, ${edge}]`))
          .concat(binning.edges.length === 0 ? 'all' : `> ${binning.edges.at(-1)}`);
  return [...present, '(missing)'];
}
