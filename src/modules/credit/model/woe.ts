// Weight of evidence per bin: ln(share of the non-defaults / share of the defaults), with half a row
// added to every cell so an empty bin gets a finite, shrunk value. Positive WoE is safer than average.
import type { BinCount } from './binning.ts';

export function weightsOfEvidence(bins: readonly BinCount[]): number[] {
  const bads = bins.reduce((sum, bin) => sum + bin.bads, 0);
  const goods = bins.reduce((sum, bin) => sum + bin.count - bin.bads, 0);
  return bins.map((bin) => {
    if (bin.count === 0) return 0;
    const goodShare = (bin.count - bin.bads + 0.5) / (goods + 0.5);
    const badShare = (bin.bads + 0.5) / (bads + 0.5);
    return Math.log(goodShare / badShare);
  });
}

/** Information value: how much the bins separate defaults from the rest (under 0.02 is noise). */
export function informationValue(bins: readonly BinCount[], woe: readonly number[]): number {
  const bads = bins.reduce((sum, bin) => sum + bin.bads, 0);
  const goods = bins.reduce((sum, bin) => sum + bin.count - bin.bads, 0);
  if (bads === 0 || goods === 0) return 0;
  return bins.reduce((sum, bin, i) => sum + ((bin.count - bin.bads) / goods - bin.bads / bads) * woe[i], 0);
}
